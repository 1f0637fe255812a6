//! `Idempotency-Key`: a retried create replays the first reply and writes nothing; the key with
//! another body is 422; keys belong to their caller and hold across instances; a burst of the
//! same request creates once; a failed request frees its key; a reply holding a secret is never
//! kept.

use crate::common;

use axum::http::Method;
use common::{Auth, Reply, TestApp, on_each_backend};
use serde_json::json;

async fn post_with_key(app: &TestApp, path: &str, auth: &Auth, body: &str, key: &str) -> Reply {
    app.request_with(
        Method::POST,
        path,
        auth,
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

fn user_body(name: &str) -> String {
    json!({
        "username": name, "email": format!("{name}@example.com"),
        "name_first": "Grace", "name_last": "Hopper"
    })
    .to_string()
}

async fn users_named(app: &TestApp, auth: &Auth, name: &str) -> i64 {
    let reply = app
        .get(&format!("/api/admin/users?search={name}"), auth)
        .await;
    reply.body["users"]["total"].as_i64().expect("total")
}

fn replayed(reply: &Reply) -> bool {
    reply
        .headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

#[tokio::test]
async fn a_retried_create_replays_the_first_reply_without_a_second_write() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let body = user_body("retried");
        let first = post_with_key(&app, "/api/admin/users", &admin, &body, "order-1001").await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert!(!replayed(&first));
        let again = post_with_key(&app, "/api/admin/users", &admin, &body, "order-1001").await;
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        assert!(replayed(&again), "a replay says so");
        assert_eq!(users_named(&app, &admin, "retried").await, 1);

        // The key with another request: refused, nothing written.
        let other = post_with_key(
            &app,
            "/api/admin/users",
            &admin,
            &user_body("other"),
            "order-1001",
        )
        .await;
        other.assert_error(422, &["idempotency key already used for another request"]);
        assert_eq!(users_named(&app, &admin, "other").await, 0);

        // Keys belong to their caller: another key's "order-1001" is its own.
        let admin_user = app.admin_principal().await.user;
        let all: Vec<&str> = roster::Permission::ALL.iter().map(|p| p.as_str()).collect();
        let second = Auth::Key(app.key_for(&admin_user, &all).await);
        let theirs = post_with_key(
            &app,
            "/api/admin/users",
            &second,
            &user_body("theirs"),
            "order-1001",
        )
        .await;
        assert_eq!(theirs.status, 200, "{}", theirs.body);
        assert!(!replayed(&theirs));

        // Another instance on the same database knows the key.
        let b = app.another_instance().await;
        let elsewhere = post_with_key(&b, "/api/admin/users", &admin, &body, "order-1001").await;
        assert_eq!(
            (elsewhere.status, &elsewhere.body),
            (first.status, &first.body)
        );
        assert!(replayed(&elsewhere));
        assert_eq!(users_named(&app, &admin, "retried").await, 1);
        b.finish().await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_burst_of_the_same_request_creates_once() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let body = user_body("burst");
        let burst =
            (0..10).map(|_| post_with_key(&app, "/api/admin/users", &admin, &body, "burst-key"));
        let replies = futures::future::join_all(burst).await;
        let created: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert!(!created.is_empty());
        for reply in &created {
            assert_eq!(
                reply.body, created[0].body,
                "every success is the one create"
            );
        }
        for reply in replies.iter().filter(|r| r.status != 200) {
            reply.assert_error(
                409,
                &["a request with this idempotency key is still running"],
            );
        }
        assert_eq!(users_named(&app, &admin, "burst").await, 1);
        app
    })
    .await;
}

#[tokio::test]
async fn a_failed_request_frees_its_key() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bad =
            json!({ "username": "x", "email": "not an email", "name_first": "", "name_last": "" });
        let reply = post_with_key(
            &app,
            "/api/admin/users",
            &admin,
            &bad.to_string(),
            "fix-and-retry",
        )
        .await;
        assert_eq!(reply.status, 400, "{}", reply.body);
        let reply = post_with_key(
            &app,
            "/api/admin/users",
            &admin,
            &user_body("fixed"),
            "fix-and-retry",
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(!replayed(&reply), "the failed attempt kept nothing");
        assert_eq!(users_named(&app, &admin, "fixed").await, 1);
        app
    })
    .await;
}

#[tokio::test]
async fn a_reply_holding_a_secret_is_never_kept() {
    on_each_backend(|app| async move {
        app.user("keyholder", false, None).await;
        let session = app.session("keyholder").await;
        let body = r#"{"name": "billing", "admin_permissions": []}"#;
        let first = post_with_key(&app, "/api/client/account/api-keys", &session, body, "mint-1").await;
        assert_eq!(first.status, 200, "{}", first.body);
        let again = post_with_key(&app, "/api/client/account/api-keys", &session, body, "mint-1").await;
        again.assert_error(
            409,
            &["a request with this idempotency key already completed; its reply cannot be repeated"],
        );
        let keys = app.get("/api/client/account/api-keys", &session).await;
        assert_eq!(keys.body["api_keys"]["total"], 1, "one key was made");
        let stored: Vec<Option<String>> =
            roster_test_support::kept_bodies(&app).await;
        assert_eq!(stored, vec![None], "the key's secret is not in the database");
        app
    })
    .await;
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let long = "k".repeat(256);
        for key in ["", long.as_str(), "tab\tkey"] {
            let reply = post_with_key(
                &app,
                "/api/admin/users",
                &admin,
                &user_body("malformed"),
                key,
            )
            .await;
            reply.assert_error(400, &["invalid idempotency key"]);
        }
        assert_eq!(users_named(&app, &admin, "malformed").await, 0);
        app
    })
    .await;
}

/// Reading what the database keeps, for the test that no secret lands there.
mod roster_test_support {
    use super::TestApp;
    use sqlx::Connection;

    pub async fn kept_bodies(app: &TestApp) -> Vec<Option<String>> {
        if app.url.starts_with("sqlite:") {
            let mut db = sqlx::SqliteConnection::connect(&app.url)
                .await
                .expect("opens");
            sqlx::query_scalar("SELECT body FROM idempotency_keys")
                .fetch_all(&mut db)
                .await
                .expect("reads")
        } else {
            let mut db = sqlx::PgConnection::connect(&app.url).await.expect("opens");
            sqlx::query_scalar("SELECT body FROM idempotency_keys")
                .fetch_all(&mut db)
                .await
                .expect("reads")
        }
    }
}
