//! Several `roster` processes on one database, started at once: migrations apply once, exactly
//! one first admin, and every instance sees what another changed (sessions, password changes
//! and sign-in failures at once, revoked keys within a second). On PostgreSQL when
//! `ROSTER_TEST_POSTGRES_URL` names a server; on one SQLite file otherwise.

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{call, database_url, printed_password, start, wait_until_healthy};
use serde_json::json;

#[tokio::test]
async fn three_instances_on_one_database_act_as_one() {
    let (url, cleanup) = database_url().await;
    if url.starts_with("sqlite:") {
        // One SQLite file is shared by processes on one host; its migrations run once first.
        let status = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["migrate"])
            .env("DATABASE_URL", &url)
            .stdout(Stdio::null())
            .status()
            .expect("roster migrate runs");
        assert!(status.success());
    }
    let instances = [start(&url), start(&url), start(&url)];
    for instance in &instances {
        wait_until_healthy(instance).await;
    }
    let passwords: Vec<String> = instances.iter().filter_map(printed_password).collect();
    assert_eq!(
        passwords.len(),
        1,
        "exactly one instance created the first admin"
    );
    let [a, b, c] = &instances;

    let credentials = json!({ "user": "admin", "password": passwords[0] });
    let (status, cookie, body) = call(a, "POST", "/api/auth/login", &[], Some(&credentials)).await;
    assert_eq!(status, 200, "{body}");
    let first = cookie.expect("a session cookie");
    let (_, second, _) = call(b, "POST", "/api/auth/login", &[], Some(&credentials)).await;
    let second = second.expect("a second session");
    let (status, _, body) =
        call(b, "GET", "/api/client/account", &[("Cookie", &first)], None).await;
    assert_eq!(
        (status, body["user"]["username"].clone()),
        (200, json!("admin")),
        "a session opened on one works on another"
    );
    let (_, _, users) = call(c, "GET", "/api/admin/users", &[("Cookie", &first)], None).await;
    assert_eq!(users["users"]["total"], 1);

    let (status, _, created) = call(
        a,
        "POST",
        "/api/client/account/api-keys",
        &[("Cookie", &first)],
        Some(&json!({ "name": "shared", "admin_permissions": ["users.read"] })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let bearer = format!("Bearer {}", created["key"].as_str().unwrap());
    let (status, _, _) = call(
        c,
        "GET",
        "/api/admin/users",
        &[("Authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let key_uuid = created["api_key"]["uuid"].as_str().unwrap();
    let (status, _, _) = call(
        a,
        "DELETE",
        &format!("/api/client/account/api-keys/{key_uuid}"),
        &[("Cookie", &first)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    // Instances remember keys; another instance forgets a revoked one within a second.
    let revoked = Instant::now();
    loop {
        let (status, _, body) = call(
            c,
            "GET",
            "/api/admin/users",
            &[("Authorization", &bearer)],
            None,
        )
        .await;
        if status != 200 {
            assert_eq!(
                (status, body),
                (401, json!({ "errors": ["invalid api key"] }))
            );
            break;
        }
        assert!(
            revoked.elapsed() < Duration::from_secs(1),
            "a revoked key still works on another instance after a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let (status, _, body) = call(
        a,
        "PUT",
        "/api/client/account/password",
        &[("Cookie", &first)],
        Some(&json!({ "password": passwords[0], "new_password": "a brand new password" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = call(
        c,
        "GET",
        "/api/client/account",
        &[("Cookie", &second)],
        None,
    )
    .await;
    assert_eq!(status, 401, "the other session ended everywhere");
    let (status, _, _) = call(b, "GET", "/api/client/account", &[("Cookie", &first)], None).await;
    assert_eq!(status, 200, "the session that changed the password stays");

    let wrong = json!({ "user": "admin", "password": "not it" });
    for i in 0..10 {
        let (status, _, _) = call(
            &instances[i % 3],
            "POST",
            "/api/auth/login",
            &[],
            Some(&wrong),
        )
        .await;
        assert_eq!(status, 401);
    }
    for instance in &instances {
        let right = json!({ "user": "admin", "password": "a brand new password" });
        let (status, _, _) = call(instance, "POST", "/api/auth/login", &[], Some(&right)).await;
        assert_eq!(status, 429, "the throttle counts across instances");
    }

    drop(instances);
    match cleanup {
        Some((server, name)) => {
            let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server)
                .await
                .expect("connects");
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
        None => {
            let path = url.trim_start_matches("sqlite://");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
    }
}
