//! Crash safety: `roster serve` killed with SIGKILL in the middle of a stream of creates and
//! updates, then started again on the same database. Every acknowledged write is there; nothing
//! is half there (each user has exactly the activity rows of the writes that landed); the user
//! count kept by triggers equals `count(*)`; the database passes its integrity check. On SQLite,
//! and on PostgreSQL when `ROSTER_TEST_POSTGRES_URL` names a server.

use crate::common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{call, database_url, start, try_call, wait_until_healthy};
use serde_json::json;

/// Clients writing at once.
const WRITERS: usize = 4;
/// Updates each created user gets, one after the other.
const UPDATES: u32 = 3;

/// What the clients were told, per user: acknowledged creates, and the highest acknowledged and
/// highest attempted version of each user's `name_first` (`v1`, `v2`, ...).
#[derive(Default)]
struct Told {
    created: HashMap<String, String>,
    attempted_create: Vec<String>,
    acknowledged: HashMap<String, u32>,
    attempted: HashMap<String, u32>,
    /// A refusal while the server still ran: the workload itself is wrong.
    refused: Option<String>,
}

fn roster(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .stderr(Stdio::inherit())
        .output()
        .expect("roster runs");
    assert!(output.status.success(), "roster {args:?} failed");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// Creates users and updates each a few times until the server stops answering.
async fn write_until_cut_off(
    address: SocketAddr,
    bearer: String,
    writer: usize,
    told: Arc<Mutex<Told>>,
) {
    let auth = [("Authorization", bearer.as_str())];
    for n in 0.. {
        let username = format!("crash_{writer}_{n}");
        told.lock().unwrap().attempted_create.push(username.clone());
        let body = json!({
            "username": username, "email": format!("{username}@example.com"),
            "name_first": "v0", "name_last": "Crash"
        });
        let created = match try_call(address, "POST", "/api/admin/users", &auth, Some(&body)).await
        {
            Some((200, _, created)) => created,
            Some((status, _, body)) => {
                told.lock().unwrap().refused = Some(format!("create: {status} {body}"));
                return;
            }
            None => return,
        };
        let uuid = created["user"]["uuid"].as_str().expect("uuid").to_owned();
        told.lock()
            .unwrap()
            .created
            .insert(username.clone(), uuid.clone());
        for version in 1..=UPDATES {
            told.lock().unwrap().attempted.insert(uuid.clone(), version);
            let patch = json!({ "name_first": format!("v{version}") });
            let path = format!("/api/admin/users/{uuid}");
            match try_call(address, "PATCH", &path, &auth, Some(&patch)).await {
                Some((200, _, _)) => {}
                Some((status, _, body)) => {
                    told.lock().unwrap().refused = Some(format!("update: {status} {body}"));
                    return;
                }
                None => return,
            }
            told.lock()
                .unwrap()
                .acknowledged
                .insert(uuid.clone(), version);
        }
    }
}

async fn crash_and_recover(url: &str) {
    roster(url, &["migrate"]);
    roster(
        url,
        &[
            "users",
            "create",
            "--username",
            "operator",
            "--email",
            "operator@example.com",
            "--name-first",
            "Op",
            "--name-last",
            "Erator",
            "--admin",
        ],
    );
    let key = roster(
        url,
        &[
            "api-keys",
            "create",
            "--user",
            "operator",
            "--name",
            "crash",
            "--permissions",
            "users.read,users.create,users.update,users.activity",
        ],
    );
    let bearer = format!("Bearer {key}");

    let mut server = start(url);
    wait_until_healthy(&server).await;
    let told = Arc::new(Mutex::new(Told::default()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            tokio::spawn(write_until_cut_off(
                server.address,
                bearer.clone(),
                writer,
                told.clone(),
            ))
        })
        .collect();
    // Let a few hundred writes land, then kill the server mid-stream.
    while told.lock().unwrap().created.len() < 60 {
        if let Some(refused) = &told.lock().unwrap().refused {
            panic!("the server refused a write: {refused}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("killed");
    for writer in writers {
        writer.await.expect("writer ends");
    }
    drop(server);
    assert_eq!(
        told.lock().unwrap().refused,
        None,
        "every write was accepted until the kill"
    );

    let restarted = start(url);
    wait_until_healthy(&restarted).await;
    let auth = [("Authorization", bearer.as_str())];
    let told = std::mem::take(&mut *told.lock().unwrap());
    println!(
        "{}: {} creates and {} updates acknowledged before the kill",
        &url[..url.find(':').unwrap_or(0)],
        told.created.len(),
        told.acknowledged.values().sum::<u32>()
    );
    for username in &told.attempted_create {
        let path = format!("/api/admin/users?search={username}%40");
        let (status, _, found) = call(&restarted, "GET", &path, &auth, None).await;
        assert_eq!(status, 200);
        let found = &found["users"]["data"];
        let Some(user) = found.as_array().and_then(|users| users.first()) else {
            assert!(
                !told.created.contains_key(username),
                "acknowledged create of {username} is lost"
            );
            continue;
        };
        let uuid = user["uuid"].as_str().expect("uuid");
        if let Some(acknowledged_uuid) = told.created.get(username) {
            assert_eq!(uuid, acknowledged_uuid);
        }
        let version: u32 = user["name_first"].as_str().expect("name")[1..]
            .parse()
            .expect("a version");
        let acknowledged = told.acknowledged.get(uuid).copied().unwrap_or(0);
        let attempted = told.attempted.get(uuid).copied().unwrap_or(0);
        assert!(
            (acknowledged..=attempted).contains(&version),
            "{username} is at v{version}: acknowledged v{acknowledged}, attempted v{attempted}"
        );
        // Nothing half there: one activity row per write that landed, no more, no less.
        for (event, expected) in [("user:create", 1), ("user:update", u64::from(version))] {
            let path = format!("/api/admin/users/{uuid}/activity?event={event}");
            let (status, _, activity) = call(&restarted, "GET", &path, &auth, None).await;
            assert_eq!(status, 200, "{activity}");
            assert_eq!(
                activity["activities"]["total"].as_u64(),
                Some(expected),
                "{username}: {event} rows"
            );
        }
    }
    drop(restarted);
    check_database(url).await;
}

/// The trigger-kept user count equals `count(*)`, and the database's own check passes.
async fn check_database(url: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(url).await.expect("opens");
        let (kept, counted): (i64, i64) =
            sqlx::query_as("SELECT (SELECT total FROM user_count), (SELECT count(*) FROM users)")
                .fetch_one(&mut db)
                .await
                .expect("counts");
        assert_eq!(kept, counted, "the kept user count");
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut db)
            .await
            .expect("integrity check runs");
        assert_eq!(integrity, vec!["ok".to_owned()]);
        let foreign: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut db)
                .await
                .expect("foreign key check runs");
        assert!(foreign.is_empty(), "foreign keys: {foreign:?}");
    } else {
        let mut db = sqlx::PgConnection::connect(url).await.expect("opens");
        let (kept, counted): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT CAST(sum(total) AS BIGINT) FROM user_count), (SELECT count(*) FROM users)",
        )
        .fetch_one(&mut db)
        .await
        .expect("counts");
        assert_eq!(kept, counted, "the kept user count");
        sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
            .execute(&mut db)
            .await
            .expect("amcheck is there");
        // Every B-tree index of the schema agrees with its table, and with its own order.
        let checked: i64 = sqlx::query_scalar(
            "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE a.amname = 'btree' AND n.nspname = 'public'",
        )
        .fetch_one(&mut db)
        .await
        .expect("every index checks");
        assert!(checked > 10, "indexes were checked: {checked}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_kill_and_nothing_is_half_written() {
    let path = std::env::temp_dir().join(format!("roster-crash-{}.db", uuid::Uuid::new_v4()));
    crash_and_recover(&format!("sqlite://{}", path.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if common::postgres_server().is_none() {
        return;
    }
    let (url, cleanup) = database_url().await;
    crash_and_recover(&url).await;
    if let Some((server, name)) = cleanup {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("connects");
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}
