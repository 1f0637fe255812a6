//! A database that goes away: Roster answers 503 within seconds (never a hang, a 500 or a
//! panic) and recovers by itself when it returns. Runs on a private PostgreSQL server that the
//! test starts and stops with Debian's `pg_ctl`.

use crate::common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::Auth;
use serde_json::json;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL server of the test's own, on a temporary directory and port.
struct PrivatePostgres {
    dir: PathBuf,
    port: u16,
    as_root: bool,
}

impl PrivatePostgres {
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let binary = Path::new(PG_BIN).join(program);
        if self.as_root {
            // PostgreSQL refuses to run as root.
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(binary)
                .args(args);
            command
        } else {
            let mut command = Command::new(binary);
            command.args(args);
            command
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = self.command(program, args).output().expect("runs");
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn create() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("roster-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&dir).expect("temporary directory");
        let as_root = std::fs::metadata("/proc/self").expect("proc").uid() == 0;
        if as_root {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(status.success());
        }
        let server = Self { dir, port, as_root };
        let data = server.data();
        server.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        server
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn a_lost_database_answers_503_and_service_resumes_by_itself() {
    assert!(
        Path::new(PG_BIN).join("pg_ctl").exists(),
        "this test needs Debian's PostgreSQL 15 server binaries in {PG_BIN}"
    );
    let postgres = PrivatePostgres::create();
    postgres.start();
    let app = common::TestApp::attach(postgres.url()).await;
    app.user("keeper", true, None).await;
    let key = app.admin_key().await;

    let health = app.get("/api/health", &Auth::None).await;
    assert_eq!(
        (health.status, health.body),
        (
            StatusCode::OK,
            json!({ "status": "ok", "database": "postgres" })
        )
    );

    postgres.stop();
    let started = Instant::now();
    let health = app.get("/api/health", &Auth::None).await;
    assert_eq!(
        (health.status, health.body),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "database": "postgres" })
        )
    );
    let users = app.get("/api/admin/users", &key).await;
    users.assert_error(503, &["service unavailable, retry later"]);
    assert_eq!(users.headers["retry-after"], "5");
    let login = app
        .post(
            "/api/auth/login",
            &Auth::None,
            r#"{"user": "keeper", "password": "correct horse battery"}"#,
        )
        .await;
    login.assert_error(503, &["service unavailable, retry later"]);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "answered in {:?}",
        started.elapsed()
    );

    postgres.start();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let health = app.get("/api/health", &Auth::None).await;
        if health.status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {}", health.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let users = app.get("/api/admin/users", &key).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    assert_eq!(users.body["users"]["total"], 2);
    app.finish().await;
}
