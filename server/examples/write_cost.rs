//! What the activity log costs a write: the latency of the user update behind
//! `PATCH /api/admin/users/{uuid}` with its activity row and without, on one database, in
//! alternating rounds so that drift (a growing WAL, autovacuum) falls on both alike.
//!
//! `cargo run --release -p roster-server --features measure --example write_cost -- [URL]`;
//! the URL defaults to a fresh SQLite file, and a `postgres://` database must exist and be empty.

use std::time::{Duration, Instant};

use roster::domain::user::{CreateUserRequest, NewUser, UpdateUserRequest, UserPatch};
use roster::store::Database;
use roster::{Core, Credential, Principal};

const USERS: usize = 100;
const ROUNDS: usize = 6;
const WRITES_PER_ROUND: usize = 300;

fn new_user(name: &str, admin: bool) -> NewUser {
    NewUser::try_from(CreateUserRequest {
        username: name.to_owned(),
        email: format!("{name}@example.com"),
        name_first: "Write".to_owned(),
        name_last: "Cost".to_owned(),
        admin: Some(admin),
        ..CreateUserRequest::default()
    })
    .expect("BUG: a valid user")
}

fn patch(n: usize) -> UserPatch {
    UserPatch::try_from(UpdateUserRequest {
        name_first: Some(format!("Name{n}")),
        ..UpdateUserRequest::default()
    })
    .expect("BUG: a valid patch")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("roster-write-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}/write-cost.db", dir.display()));
    let db = Database::connect(&url).await.expect("the database opens");
    db.migrate().await.expect("migrations apply");
    let logged = Core::new(db.clone());
    let unlogged = Core::new(db.clone()).without_activity_log();
    let admin = logged
        .create_user(
            &roster::Principal::operator(),
            new_user("writecost_admin", true),
        )
        .await
        .expect("the admin is created");
    let principal = Principal {
        user: admin,
        credential: Credential::Session {
            session_uuid: uuid::Uuid::new_v4(),
        },
        ip: Some("127.0.0.1".to_owned()),
        idempotency: None,
        impersonator: None,
    };
    let mut targets = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let user = logged
            .create_user(
                &roster::Principal::operator(),
                new_user(&format!("writecost_{i}"), false),
            )
            .await
            .expect("a user is created");
        targets.push(user.uuid);
    }
    let mut samples = [Vec::new(), Vec::new()];
    let mut n = 0;
    for round in 0..ROUNDS * 2 + 2 {
        // The first two rounds warm caches and are not counted.
        let mode = round % 2;
        let core = if mode == 0 { &logged } else { &unlogged };
        for _ in 0..WRITES_PER_ROUND {
            n += 1;
            let started = Instant::now();
            core.update_user(
                &principal,
                targets[n % USERS],
                patch(n),
                &roster::Precondition::None,
            )
            .await
            .expect("the update succeeds");
            if round >= 2 {
                samples[mode].push(started.elapsed());
            }
        }
    }
    println!(
        "user update on {}, {} writes each:",
        db.backend().as_str(),
        ROUNDS * WRITES_PER_ROUND
    );
    let mut medians = [0.0; 2];
    for (mode, name) in ["with the activity log", "without it"].iter().enumerate() {
        let sorted = &mut samples[mode];
        sorted.sort();
        medians[mode] = percentile(sorted, 0.5);
        println!(
            "  {name:<22} p50 {:.3} ms  p95 {:.3} ms",
            percentile(sorted, 0.5),
            percentile(sorted, 0.95)
        );
    }
    println!(
        "  the log adds {:+.1} % at the median",
        (medians[0] / medians[1] - 1.0) * 100.0
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
