//! `roster serve` as a process of its own, spoken to over TCP: for tests of what only a real
//! process shows (several instances on one database, a server killed and restarted).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running `roster serve`, killed when dropped.
pub struct Instance {
    pub address: SocketAddr,
    pub child: Child,
    pub output: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.output);
    }
}

pub fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

pub fn start(url: &str) -> Instance {
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
pub async fn call(
    instance: &Instance,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Option<String>, Value) {
    try_call(instance.address, method, path, headers, body)
        .await
        .expect("a complete answer")
}

/// [`call`] to an address that may stop answering: `None` when the exchange broke off.
pub async fn try_call(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Option<(u16, Option<String>, Value)> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
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
    let mut stream = TcpStream::connect(address).await.ok()?;
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.get(9..12)?.parse().ok()?;
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned());
    let body = decode_chunked(body);
    Some((
        status,
        cookie,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    ))
}

pub fn decode_chunked(body: &str) -> String {
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

pub async fn wait_until_healthy(instance: &Instance) {
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
pub fn printed_password(instance: &Instance) -> Option<String> {
    let out = std::fs::read_to_string(&instance.output).ok()?;
    out.lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .map(str::to_owned)
}

pub async fn database_url() -> (String, Option<(String, String)>) {
    match super::postgres_server() {
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
