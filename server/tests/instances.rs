//! Several `roster` processes on one database, started at once: migrations apply once, exactly
//! one first admin, and every instance sees what another changed (sessions, password changes
//! and sign-in failures at once, revoked keys within a second). On PostgreSQL when
//! `ROSTER_TEST_POSTGRES_URL` names a server; on one SQLite file otherwise.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running `roster serve`, killed when dropped.
struct Instance {
    address: SocketAddr,
    child: Child,
    output: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.output);
    }
}

fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn start(url: &str) -> Instance {
    let address = free_address();
    let output = std::env::temp_dir().join(format!("roster-instance-{}.out", uuid::Uuid::new_v4()));
    let stdout = std::fs::File::create(&output).expect("output file");
    let child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--listen", &address.to_string()])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("ROSTER_ADMIN_USERNAME")
        .env_remove("ROSTER_ADMIN_EMAIL")
        .env_remove("ROSTER_ADMIN_PASSWORD")
        .env_remove("ROSTER_TRUSTED_PROXIES")
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("roster starts");
    Instance {
        address,
        child,
        output,
    }
}

/// One HTTP/1.1 exchange; answers the status, the `Set-Cookie` value and the JSON body.
async fn call(
    instance: &Instance,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Option<String>, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        instance.address,
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut stream = TcpStream::connect(instance.address)
        .await
        .expect("connects");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a complete answer");
    let status = head[9..12].parse().expect("a status");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    let body = decode_chunked(body);
    (
        status,
        cookie,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

fn decode_chunked(body: &str) -> String {
    if body.starts_with('{') || body.is_empty() {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

async fn wait_until_healthy(instance: &Instance) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect(instance.address).await.is_ok() {
            let (status, _, _) = call(instance, "GET", "/api/health", &[], None).await;
            if status == 200 {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "instance on {} never got healthy",
            instance.address
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What an instance printed: only the one that created the first admin prints its password.
fn printed_password(instance: &Instance) -> Option<String> {
    let out = std::fs::read_to_string(&instance.output).ok()?;
    out.lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .map(str::to_owned)
}

async fn database_url() -> (String, Option<(String, String)>) {
    match common::postgres_server() {
        Some(server) => {
            let name = format!("roster_instances_{}", uuid::Uuid::new_v4().simple());
            let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server)
                .await
                .expect("the PostgreSQL server answers");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("database created");
            let (base, _) = server.rsplit_once('/').expect("a database in the url");
            (format!("{base}/{name}"), Some((server.clone(), name)))
        }
        None => {
            let path =
                std::env::temp_dir().join(format!("roster-instances-{}.db", uuid::Uuid::new_v4()));
            (format!("sqlite://{}", path.display()), None)
        }
    }
}

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
    let admin_uuid = users["users"]["data"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();

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
        "PATCH",
        &format!("/api/admin/users/{admin_uuid}"),
        &[("Cookie", &first)],
        Some(&json!({ "password": "a brand new password" })),
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
