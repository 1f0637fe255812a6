//! The sign-in throttle: counted in the database before the password is checked, per client
//! address and per (account, client address), shared by every instance; memory stays flat.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp, TestOptions, on_each_backend, on_each_backend_with};
use roster::services::throttle::{ACCOUNT_LIMIT, CLIENT_LIMIT};
use roster::store::Database;
use serde_json::json;

async fn sign_in_from(app: &TestApp, user: &str, password: &str, client: &str) -> common::Reply {
    let body = json!({ "user": user, "password": password }).to_string();
    app.request_with(
        Method::POST,
        "/api/auth/login",
        &Auth::None,
        Some(&body),
        &[("x-forwarded-for", client)],
    )
    .await
}

async fn throttle_rows(app: &TestApp) -> i64 {
    let sql = "SELECT count(*) FROM sign_in_throttle";
    match app.core.database() {
        Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("rows counted")
}

#[tokio::test]
async fn parallel_wrong_guesses_get_at_most_the_limit_of_tries() {
    on_each_backend(|app| async move {
        app.user("target", true, None).await;
        let guesses = (0..50).map(|i| {
            let app = &app;
            async move { sign_in_from(app, "target", &format!("guess {i}"), "203.0.113.5").await }
        });
        let replies = futures::future::join_all(guesses).await;
        let wrong = replies
            .iter()
            .filter(|r| r.status == StatusCode::UNAUTHORIZED)
            .count();
        let limited = replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(wrong + limited, 50, "only 401s and 429s");
        assert!(
            wrong <= ACCOUNT_LIMIT as usize,
            "{wrong} guesses were checked"
        );
        assert_eq!(wrong, ACCOUNT_LIMIT as usize, "the limit itself is usable");
        for reply in replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        {
            let retry: u64 = reply.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=300).contains(&retry), "{retry}");
            assert_eq!(
                reply.body,
                json!({ "errors": [format!("you are ratelimited, retry in {retry}s")] })
            );
        }
        let right = sign_in_from(&app, "TARGET@example.com", PASSWORD, "203.0.113.5").await;
        assert_eq!(
            right.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the email shares the counter"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_owner_still_signs_in_from_another_address() {
    on_each_backend(|app| async move {
        app.user("owner", true, None).await;
        for i in 0..ACCOUNT_LIMIT {
            sign_in_from(&app, "owner", &format!("guess {i}"), "203.0.113.5")
                .await
                .assert_error(401, &["invalid username or password"]);
        }
        let locked = sign_in_from(&app, "owner", PASSWORD, "203.0.113.5").await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        let owner = sign_in_from(&app, "owner", PASSWORD, "198.51.100.20").await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
        app
    })
    .await;
}

#[tokio::test]
async fn a_success_forgets_that_clients_failures() {
    on_each_backend(|app| async move {
        app.user("forgetful", false, None).await;
        for round in 0..3 {
            for i in 0..ACCOUNT_LIMIT - 1 {
                sign_in_from(&app, "forgetful", &format!("typo {round} {i}"), "192.0.2.1")
                    .await
                    .assert_error(401, &["invalid username or password"]);
            }
            let reply = sign_in_from(&app, "forgetful", PASSWORD, "192.0.2.1").await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "round {round}: {}",
                reply.body
            );
        }
        app
    })
    .await;
}

#[tokio::test]
async fn names_longer_than_any_account_are_refused_before_any_work() {
    on_each_backend(|app| async move {
        let long = "a".repeat(256);
        sign_in_from(&app, &long, "whatever", "192.0.2.2")
            .await
            .assert_error(400, &["user: length is greater than 255"]);
        assert_eq!(throttle_rows(&app).await, 0);
        app
    })
    .await;
}

#[tokio::test]
async fn a_flood_of_distinct_names_keeps_the_counters_bounded() {
    on_each_backend(|app| async move {
        let flood = 10_000;
        let mut limited = 0;
        for i in 0..flood {
            let reply = sign_in_from(&app, &format!("nobody{i}"), "guess", "203.0.113.66").await;
            if reply.status == StatusCode::TOO_MANY_REQUESTS {
                limited += 1;
            } else {
                assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            }
        }
        assert_eq!(limited, flood - CLIENT_LIMIT);
        let rows = throttle_rows(&app).await;
        assert!(
            rows <= 1 + CLIENT_LIMIT,
            "{rows} counters for {flood} names"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn every_instance_counts_the_same_failures() {
    on_each_backend(|app| async move {
        app.user("shared", false, None).await;
        let others = [app.another_instance().await, app.another_instance().await];
        for i in 0..ACCOUNT_LIMIT {
            let instance = if i % 3 == 0 {
                &app
            } else {
                &others[(i % 3 - 1) as usize]
            };
            sign_in_from(instance, "shared", &format!("guess {i}"), "203.0.113.9")
                .await
                .assert_error(401, &["invalid username or password"]);
        }
        for instance in [&app, &others[0], &others[1]] {
            let reply = sign_in_from(instance, "shared", PASSWORD, "203.0.113.9").await;
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        }
        for other in others {
            other.core.database().close().await;
        }
        app
    })
    .await;
}

#[tokio::test]
async fn a_hashing_storm_answers_503_instead_of_queueing_forever() {
    let options = TestOptions {
        hasher: Some(roster::secret::Hasher::new(1, Duration::from_millis(1))),
        ..TestOptions::default()
    };
    on_each_backend_with(options, |app| async move {
        app.user("stormy", false, None).await;
        let storm =
            (0..8).map(|i| {
                let app = &app;
                async move {
                    sign_in_from(app, "stormy", PASSWORD, &format!("192.0.2.{}", 10 + i)).await
                }
            });
        let replies = futures::future::join_all(storm).await;
        let busy: Vec<_> = replies
            .iter()
            .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
            .collect();
        assert!(
            !busy.is_empty(),
            "eight hashes at once on one permit with no wait"
        );
        for reply in &busy {
            assert_eq!(
                reply.body,
                json!({ "errors": ["server busy, retry later"] })
            );
            assert_eq!(reply.headers["retry-after"], "1");
        }
        assert!(
            replies
                .iter()
                .all(|r| matches!(r.status.as_u16(), 200 | 503))
        );
        app
    })
    .await;
}
