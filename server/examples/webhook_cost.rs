//! What webhooks cost: how long 1,000 user updates take to reach a local receiver as 1,000
//! deliveries (goal: within 30 s), and the latency of the user update with no endpoint, with one
//! that answers and with one that never answers (goal: a hung endpoint moves the p50 by less
//! than 10 % from one that answers: writes never wait for deliveries), in alternating rounds,
//! while the webhook worker runs beside the writes.
//!
//! `cargo run --release -p roster-server --example webhook_cost -- [URL]`; the URL defaults to a
//! fresh SQLite file, and a `postgres://` database must exist and be empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use roster::domain::user::{CreateUserRequest, NewUser, UpdateUserRequest, UserPatch};
use roster::domain::webhook::{CreateWebhookRequest, NewWebhook, WebhookPatch};
use roster::services::webhooks::{WebhookSender, WebhookSettings};
use roster::store::Database;
use roster::{Core, Credential, Principal};

const USERS: usize = 100;
const DELIVERIES: usize = 1000;
const ROUNDS: usize = 6;
const WRITES_PER_ROUND: usize = 200;

fn new_user(name: &str, admin: bool) -> NewUser {
    NewUser::try_from(CreateUserRequest {
        username: name.to_owned(),
        email: format!("{name}@example.com"),
        name_first: "Hook".to_owned(),
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

/// A receiver on the loopback: `/count` answers at once and counts, `/hang` never answers.
async fn receiver(counted: Arc<AtomicUsize>) -> std::net::SocketAddr {
    let app = Router::new()
        .route(
            "/count",
            post(move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    "ok"
                }
            }),
        )
        .route("/hang", post(std::future::pending::<&'static str>));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("roster-webhook-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}/webhook-cost.db", dir.display()));
    let db = Database::connect(&url).await.expect("the database opens");
    db.migrate().await.expect("migrations apply");
    let settings = WebhookSettings {
        allow_http: true,
        allow_hosts: vec!["127.0.0.1".to_owned()],
        ..WebhookSettings::default()
    };
    let core = Core::new(db.clone()).with_webhook_settings(settings.clone());
    let admin = core
        .create_user(&Principal::operator(), new_user("hookcost_admin", true))
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
        let user = core
            .create_user(
                &Principal::operator(),
                new_user(&format!("hookcost_{i}"), false),
            )
            .await
            .expect("a user is created");
        targets.push(user.uuid);
    }
    let counted = Arc::new(AtomicUsize::new(0));
    let address = receiver(counted.clone()).await;
    let endpoint = |path: &str| {
        NewWebhook::try_from(CreateWebhookRequest {
            url: format!("http://{address}/{path}"),
            description: None,
            events: vec!["user:update".to_owned()],
            enabled: Some(true),
        })
        .expect("BUG: a valid endpoint")
    };
    let sender = WebhookSender::new(settings).expect("the sender builds");
    let worker = {
        let core = core.clone();
        tokio::spawn(async move {
            // As the server's worker: at once while messages go out, else a second later.
            loop {
                if !matches!(core.deliver_due_webhooks(&sender).await, Ok(n) if n > 0) {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        })
    };

    let counting = core
        .create_webhook(&principal, endpoint("count"))
        .await
        .expect("an endpoint");
    let started = Instant::now();
    for n in 0..DELIVERIES {
        core.update_user(
            &principal,
            targets[n % USERS],
            patch(n),
            &roster::Precondition::None,
        )
        .await
        .expect("the update succeeds");
    }
    let written = started.elapsed();
    while counted.load(Ordering::SeqCst) < DELIVERIES
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "webhooks on {}: {} updates written in {:.1} s, {} delivered to a local receiver in {:.1} s (goal <= 30 s)",
        db.backend().as_str(),
        DELIVERIES,
        written.as_secs_f64(),
        counted.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );

    let hung = core
        .create_webhook(&principal, endpoint("hang"))
        .await
        .expect("an endpoint")
        .webhook
        .uuid;
    let endpoints = [None, Some(counting.webhook.uuid), Some(hung)];
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    let mut n = 0;
    for round in 0..ROUNDS * 3 + 3 {
        // The first three rounds warm caches and are not counted.
        let mode = round % 3;
        for (index, endpoint) in endpoints.iter().enumerate() {
            let Some(endpoint) = endpoint else { continue };
            let toggle = WebhookPatch {
                enabled: Some(index == mode),
                ..WebhookPatch::default()
            };
            core.update_webhook(&principal, *endpoint, toggle)
                .await
                .expect("the endpoint is switched");
        }
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
            if round >= 3 {
                samples[mode].push(started.elapsed());
            }
        }
    }
    let mut medians = [0.0; 3];
    for (mode, name) in ["no endpoint", "an endpoint", "a hung endpoint"]
        .iter()
        .enumerate()
    {
        let sorted = &mut samples[mode];
        sorted.sort();
        medians[mode] = percentile(sorted, 0.5);
        println!(
            "  user update, {name:<16} p50 {:.3} ms  p95 {:.3} ms",
            percentile(sorted, 0.5),
            percentile(sorted, 0.95)
        );
    }
    println!(
        "  an endpoint adds {:+.1} % at the median (its messages are written with the change)",
        (medians[1] / medians[0] - 1.0) * 100.0
    );
    println!(
        "  a hung endpoint moves the median by {:+.1} % from one that answers (goal within 10 %)",
        (medians[2] / medians[1] - 1.0) * 100.0
    );
    worker.abort();
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
