//! The guess throttle: counted in the database before a secret is checked, per step (password,
//! code, confirming password), per client network and per (account, network), and per account
//! over every network with backoff; shared by every instance; memory stays flat.

use crate::common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{
    Auth, PASSWORD, TestApp, TestOptions, code_at, enrol, now, on_each_backend,
    on_each_backend_with,
};
use roster::services::throttle::{ACCOUNT_FREE, ACCOUNT_LIMIT, NETWORK_LIMIT};
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
        assert_eq!(limited, flood - NETWORK_LIMIT);
        let rows = throttle_rows(&app).await;
        // The network's counter, and two per name it could still try (the pair, the account).
        assert!(
            rows <= 1 + 2 * NETWORK_LIMIT,
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

async fn checkpoint_from(app: &TestApp, token: &str, code: &str, client: &str) -> common::Reply {
    let body = json!({ "token": token, "code": code }).to_string();
    app.request_with(
        Method::POST,
        "/api/auth/login/checkpoint",
        &Auth::None,
        Some(&body),
        &[("x-forwarded-for", client)],
    )
    .await
}

#[tokio::test]
async fn a_correct_password_does_not_give_the_code_step_new_guesses() {
    on_each_backend(|app| async move {
        app.user("coded", false, None).await;
        let session = app.session("coded").await;
        let (secret, _) = enrol(&app, &session).await;
        let right = code_at(&secret, now());
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        let client = "203.0.113.50";
        let (mut judged, mut limited) = (0, 0);
        for _round in 0..5 {
            let step = sign_in_from(&app, "coded", PASSWORD, client).await;
            assert_eq!(step.status, StatusCode::OK, "{}", step.body);
            let token = step.body["token"].as_str().unwrap().to_owned();
            for _ in 0..ACCOUNT_LIMIT - 1 {
                let reply = checkpoint_from(&app, &token, wrong, client).await;
                match reply.status.as_u16() {
                    401 => judged += 1,
                    429 => limited += 1,
                    other => panic!("{other}: {}", reply.body),
                }
            }
        }
        assert_eq!(
            judged, ACCOUNT_LIMIT,
            "codes judged across five correct passwords"
        );
        assert_eq!(limited, 5 * (ACCOUNT_LIMIT - 1) - ACCOUNT_LIMIT);
        app
    })
    .await;
}

#[tokio::test]
async fn a_whole_ipv6_64_counts_as_one_network() {
    on_each_backend(|app| async move {
        app.user("sixer", false, None).await;
        let mut judged = 0;
        for i in 1..=30 {
            let client = format!("2001:db8:7:7::{i:x}");
            let reply = sign_in_from(&app, "sixer", &format!("guess {i}"), &client).await;
            match reply.status.as_u16() {
                401 => judged += 1,
                429 => {}
                other => panic!("{other}: {}", reply.body),
            }
        }
        assert_eq!(judged, ACCOUNT_LIMIT);
        let same_64 = sign_in_from(&app, "sixer", PASSWORD, "2001:db8:7:7:ffff::1").await;
        assert_eq!(same_64.status, StatusCode::TOO_MANY_REQUESTS);
        let next_64 = sign_in_from(&app, "sixer", PASSWORD, "2001:db8:7:8::1").await;
        assert_eq!(next_64.status, StatusCode::OK, "{}", next_64.body);
        app
    })
    .await;
}

#[tokio::test]
async fn guesses_spread_over_many_networks_back_off_per_account() {
    on_each_backend(|app| async move {
        app.user("spread", false, None).await;
        let mut judged = 0;
        for i in 1..=ACCOUNT_FREE + 5 {
            let client = format!("198.18.{}.{}", i / 200, i % 200 + 1);
            let reply = sign_in_from(&app, "spread", &format!("guess {i}"), &client).await;
            match reply.status.as_u16() {
                401 => judged += 1,
                429 => {
                    let retry: u64 = reply.headers["retry-after"]
                        .to_str()
                        .unwrap()
                        .parse()
                        .unwrap();
                    assert!((1..=2).contains(&retry), "{retry}");
                }
                other => panic!("{other}: {}", reply.body),
            }
        }
        assert_eq!(
            judged,
            ACCOUNT_FREE + 1,
            "the free guesses, then one every backoff"
        );
        let owner = sign_in_from(&app, "spread", PASSWORD, "192.0.2.200").await;
        assert_eq!(
            owner.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the owner waits too, briefly"
        );
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let owner = sign_in_from(&app, "spread", PASSWORD, "192.0.2.200").await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
        app
    })
    .await;
}

async fn confirm_from(
    app: &TestApp,
    session: &Auth,
    password: &str,
    client: &str,
) -> common::Reply {
    let body = json!({ "password": password, "new_password": "another passphrase" }).to_string();
    app.request_with(
        Method::PUT,
        "/api/client/account/password",
        session,
        Some(&body),
        &[("x-forwarded-for", client)],
    )
    .await
}

#[tokio::test]
async fn confirming_passwords_are_guesses_too() {
    on_each_backend(|app| async move {
        app.user("oracle", false, None).await;
        let session = app.session("oracle").await;
        let mut statuses = Vec::new();
        for i in 0..25 {
            statuses.push(
                confirm_from(&app, &session, &format!("guess {i}"), "203.0.113.77")
                    .await
                    .status
                    .as_u16(),
            );
        }
        let wrong = statuses.iter().filter(|s| **s == 403).count();
        assert_eq!(wrong as i64, ACCOUNT_LIMIT, "{statuses:?}");
        assert!(
            statuses[ACCOUNT_LIMIT as usize..].iter().all(|s| *s == 429),
            "{statuses:?}"
        );
        let right = confirm_from(&app, &session, PASSWORD, "203.0.113.77").await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);

        app.user("enroller", false, None).await;
        let enroller = app.session("enroller").await;
        app.post("/api/client/account/two-factor/setup", &enroller, "")
            .await;
        let mut statuses = Vec::new();
        for i in 0..12 {
            let body = json!({ "code": "000000", "password": format!("guess {i}") }).to_string();
            let reply = app
                .request_with(
                    Method::POST,
                    "/api/client/account/two-factor",
                    &enroller,
                    Some(&body),
                    &[("x-forwarded-for", "203.0.113.78")],
                )
                .await;
            statuses.push(reply.status.as_u16());
        }
        assert_eq!(
            statuses[..ACCOUNT_LIMIT as usize],
            [400; ACCOUNT_LIMIT as usize]
        );
        assert_eq!(statuses[ACCOUNT_LIMIT as usize..], [429, 429]);
        app
    })
    .await;
}

#[tokio::test]
async fn one_users_flood_of_password_checks_does_not_starve_sign_ins() {
    on_each_backend(|app| async move {
        app.user("flooder", false, None).await;
        for admin in ["boss1", "boss2", "boss3"] {
            app.user(admin, true, None).await;
        }
        let session = app.session("flooder").await;
        let flood = (0..100).map(|i| {
            let (app, session) = (&app, &session);
            async move {
                let client = format!("198.19.{}.{}", i / 200, i % 200 + 1);
                confirm_from(app, session, &format!("guess {i}"), &client)
                    .await
                    .status
                    .as_u16()
            }
        });
        let sign_ins = ["boss1", "boss2", "boss3"].map(|admin| {
            let app = &app;
            async move {
                sign_in_from(app, admin, PASSWORD, "192.0.2.77")
                    .await
                    .status
            }
        });
        let (flooded, signed_in) = futures::future::join(
            futures::future::join_all(flood),
            futures::future::join_all(sign_ins),
        )
        .await;
        assert!(
            flooded.iter().all(|s| matches!(s, 403 | 429)),
            "{flooded:?}"
        );
        assert_eq!(signed_in, [StatusCode::OK; 3]);
        app
    })
    .await;
}
