//! One's own credentials change only in person: from a session, with the current password,
//! through the account routes. A key never changes its owner's password, email or two-factor;
//! every credential change ends the challenges, reset links and other sessions it must.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp, code_at, enrol, now, on_each_backend};
use roster::domain::page::ListQuery;
use serde_json::{Value, json};

const IN_PERSON: &str = "your own email, password and two-factor change only through your account, \
                         signed in and with your current password";
const SESSION_ONLY: &str = "this action needs a signed-in session, not an api key";

async fn put(app: &TestApp, path: &str, auth: &Auth, body: Value) -> common::Reply {
    app.request(Method::PUT, path, auth, Some(&body.to_string()))
        .await
}

async fn sign_in(app: &TestApp, user: &str, password: &str) -> StatusCode {
    let body = json!({ "user": user, "password": password }).to_string();
    app.post("/api/auth/login", &Auth::None, &body).await.status
}

/// The token of the newest reset link in the outbox.
async fn newest_reset_token(app: &TestApp) -> String {
    app.core.settle().await;
    let page = app
        .core
        .list_outbox(&roster::Principal::operator(), ListQuery::default())
        .await
        .unwrap();
    let text = &page.data[0].body_text;
    text.split_once("token=")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .expect("a reset link")
        .to_owned()
}

async fn reset_with(app: &TestApp, token: &str, password: &str) -> common::Reply {
    let body = json!({ "token": token, "password": password }).to_string();
    app.post("/api/auth/password/reset", &Auth::None, &body)
        .await
}

async fn newest_activity(app: &TestApp, event: &str) -> Value {
    let admin = app.admin_key().await;
    let reply = app
        .get(&format!("/api/admin/activity?event={event}"), &admin)
        .await;
    reply.body["activities"]["data"][0].clone()
}

#[tokio::test]
async fn a_key_cannot_change_its_owners_password_or_email() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let browser = app.session("root").await;
        let key = app.admin_key().await;
        let path = format!("/api/admin/users/{}", root.uuid);
        for body in [
            json!({ "password": "taken over at last" }),
            json!({ "email": "attacker@example.net" }),
        ] {
            app.patch(&path, &key, &body.to_string())
                .await
                .assert_error(403, &[IN_PERSON]);
            app.patch(&path, &browser, &body.to_string())
                .await
                .assert_error(403, &[IN_PERSON]);
        }
        let me = app.get("/api/client/account", &browser).await;
        assert_eq!(me.status, StatusCode::OK, "the owner's session lives on");
        assert_eq!(me.body["user"]["email"], "root@example.com");
        assert_eq!(sign_in(&app, "root", PASSWORD).await, StatusCode::OK);
        let renamed = app
            .patch(
                &path,
                &key,
                r#"{"name_first": "Rooty", "email": "root@example.com"}"#,
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(renamed.body["user"]["name_first"], "Rooty");
        app
    })
    .await;
}

#[tokio::test]
async fn a_key_cannot_turn_off_its_owners_two_factor_and_whoever_turns_it_off_mails_the_user() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let browser = app.session("root").await;
        let (_, codes) = enrol(&app, &browser).await;
        let key = app.admin_key().await;
        app.delete(&format!("/api/admin/users/{}/two-factor", root.uuid), &key)
            .await
            .assert_error(403, &[IN_PERSON]);
        let me = app.get("/api/client/account", &browser).await;
        assert_eq!(me.body["user"]["totp_enabled"], true);
        let before = app
            .core
            .list_outbox(&roster::Principal::operator(), ListQuery::default())
            .await
            .unwrap()
            .total;

        let body = json!({ "code": codes[0], "password": PASSWORD }).to_string();
        let off = app
            .request(
                Method::DELETE,
                "/api/client/account/two-factor",
                &browser,
                Some(&body),
            )
            .await;
        assert_eq!((off.status, off.body), (StatusCode::OK, json!({})));
        let outbox = app
            .core
            .list_outbox(&roster::Principal::operator(), ListQuery::default())
            .await
            .unwrap();
        assert_eq!(outbox.total, before + 1, "the user is told, themselves too");
        assert_eq!(outbox.data[0].recipient, "root@example.com");
        assert_eq!(outbox.data[0].subject, "Two-factor sign-in was turned off");
        app
    })
    .await;
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_everything_else() {
    on_each_backend(|app| async move {
        let dana = app.user("dana", false, None).await;
        let here = app.session("dana").await;
        let there = app.session("dana").await;
        let key = Auth::Key(app.key_for(&dana, &[]).await);
        let path = "/api/client/account/password";
        let change = json!({ "password": PASSWORD, "new_password": "a brand new passphrase" });
        put(&app, path, &key, change.clone())
            .await
            .assert_error(403, &[SESSION_ONLY]);
        put(
            &app,
            path,
            &here,
            json!({ "password": "not it", "new_password": "a brand new passphrase" }),
        )
        .await
        .assert_error(403, &["invalid password"]);
        put(
            &app,
            path,
            &here,
            json!({ "password": PASSWORD, "new_password": "short" }),
        )
        .await
        .assert_error(400, &["new_password: length is lower than 8"]);
        let forgot = json!({ "email": "dana@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &forgot)
            .await;
        let link = newest_reset_token(&app).await;

        let reply = put(&app, path, &here, change).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        assert_eq!(
            app.get("/api/client/account", &here).await.status,
            StatusCode::OK
        );
        app.get("/api/client/account", &there)
            .await
            .assert_error(401, &["invalid session"]);
        reset_with(&app, &link, "the link comes too late")
            .await
            .assert_error(400, &["invalid or expired token"]);
        assert_eq!(
            sign_in(&app, "dana", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&app, "dana", "a brand new passphrase").await,
            StatusCode::OK
        );
        let row = newest_activity(&app, "account:password-changed").await;
        assert_eq!(row["actor"]["username"], "dana");
        assert_eq!(row["target"]["label"], "dana");
        assert_eq!(row["data"], json!({ "password": { "changed": true } }));
        app
    })
    .await;
}

#[tokio::test]
async fn changing_ones_email_needs_the_password_and_a_free_address() {
    on_each_backend(|app| async move {
        let erin = app.user("erin", false, None).await;
        app.user("taken", false, None).await;
        let here = app.session("erin").await;
        let there = app.session("erin").await;
        let key = Auth::Key(app.key_for(&erin, &[]).await);
        let path = "/api/client/account/email";
        let moving = json!({ "email": "erin@new.example.com", "password": PASSWORD });
        put(&app, path, &key, moving.clone())
            .await
            .assert_error(403, &[SESSION_ONLY]);
        put(
            &app,
            path,
            &here,
            json!({ "email": "erin@new.example.com", "password": "nope" }),
        )
        .await
        .assert_error(403, &["invalid password"]);
        put(
            &app,
            path,
            &here,
            json!({ "email": "Taken@example.com", "password": PASSWORD }),
        )
        .await
        .assert_error(409, &["email already in use"]);
        put(
            &app,
            path,
            &here,
            json!({ "email": "not an address", "password": PASSWORD }),
        )
        .await
        .assert_error(400, &["email: invalid email address"]);
        let same = put(
            &app,
            path,
            &here,
            json!({ "email": "erin@example.com", "password": PASSWORD }),
        )
        .await;
        assert_eq!((same.status, same.body), (StatusCode::OK, json!({})));
        assert_eq!(
            app.get("/api/client/account", &there).await.status,
            StatusCode::OK,
            "the same address changes nothing"
        );

        let reply = put(&app, path, &here, moving).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        let me = app.get("/api/client/account", &here).await;
        assert_eq!(me.body["user"]["email"], "erin@new.example.com");
        app.get("/api/client/account", &there)
            .await
            .assert_error(401, &["invalid session"]);
        let outbox = app
            .core
            .list_outbox(&roster::Principal::operator(), ListQuery::default())
            .await
            .unwrap();
        assert_eq!(
            outbox.data[0].recipient, "erin@example.com",
            "the old address is told"
        );
        assert_eq!(
            outbox.data[0].subject,
            "The email address of your Roster account was changed"
        );
        assert!(outbox.data[0].body_text.contains("erin@new.example.com"));
        let row = newest_activity(&app, "account:email-changed").await;
        assert_eq!(
            row["data"],
            json!({ "email": { "before": "erin@example.com", "after": "erin@new.example.com" } })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_ends_a_sign_in_waiting_for_its_code() {
    on_each_backend(|app| async move {
        app.user("gwen", false, None).await;
        let session = app.session("gwen").await;
        let (secret, _) = enrol(&app, &session).await;
        let body = json!({ "user": "gwen", "password": PASSWORD }).to_string();
        let step = app.post("/api/auth/login", &Auth::None, &body).await;
        let challenge = step.body["token"].as_str().unwrap().to_owned();
        let forgot = json!({ "email": "gwen@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &forgot)
            .await;
        let link = newest_reset_token(&app).await;
        let reset = reset_with(&app, &link, "after the reset").await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
        let body = json!({ "token": challenge, "code": code_at(&secret, now() + 30) }).to_string();
        app.post("/api/auth/login/checkpoint", &Auth::None, &body)
            .await
            .assert_error(401, &["invalid two-factor code"]);
        app
    })
    .await;
}

#[tokio::test]
async fn turning_on_two_factor_ends_the_other_sessions() {
    on_each_backend(|app| async move {
        app.user("hal", false, None).await;
        let here = app.session("hal").await;
        let there = app.session("hal").await;
        enrol(&app, &here).await;
        assert_eq!(
            app.get("/api/client/account", &here).await.status,
            StatusCode::OK
        );
        app.get("/api/client/account", &there)
            .await
            .assert_error(401, &["invalid session"]);
        app
    })
    .await;
}

#[tokio::test]
async fn an_email_change_by_an_admin_ends_the_reset_link_sent_to_the_old_address() {
    on_each_backend(|app| async move {
        let ivy = app.user("ivy", false, None).await;
        let admin = app.admin_key().await;
        let path = format!("/api/admin/users/{}", ivy.uuid);
        let sent = app
            .post(&format!("{path}/email/reset-password"), &admin, "{}")
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED);
        let link = newest_reset_token(&app).await;
        let moved = app
            .patch(&path, &admin, r#"{"email": "ivy@elsewhere.example.com"}"#)
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        reset_with(&app, &link, "sent to the old address")
            .await
            .assert_error(400, &["invalid or expired token"]);
        let outbox = app
            .core
            .list_outbox(&roster::Principal::operator(), ListQuery::default())
            .await
            .unwrap();
        assert_eq!(
            outbox.data[0].recipient, "ivy@example.com",
            "the old address is told"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn enrolment_starts_with_a_post_only() {
    on_each_backend(|app| async move {
        app.user("joan", false, None).await;
        let session = app.session("joan").await;
        app.get("/api/client/account/two-factor", &session)
            .await
            .assert_error(405, &["method not allowed"]);
        app.request_with(
            Method::POST,
            "/api/client/account/two-factor/setup",
            &session,
            None,
            &[("origin", "https://evil.example"), ("host", "roster.test")],
        )
        .await
        .assert_error(403, &["cross-site request refused"]);
        let setup = app
            .post("/api/client/account/two-factor/setup", &session, "")
            .await;
        assert_eq!(setup.status, StatusCode::OK);
        assert_eq!(setup.body["secret"].as_str().map(str::len), Some(32));
        app
    })
    .await;
}

#[tokio::test]
async fn a_key_lists_neither_its_owners_sessions_nor_keys() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        for path in [
            "/api/client/account/sessions",
            "/api/client/account/api-keys",
        ] {
            app.get(path, &key).await.assert_error(403, &[SESSION_ONLY]);
        }
        let session = app.session("root").await;
        let keys = app.get("/api/client/account/api-keys", &session).await;
        assert_eq!(keys.body["api_keys"]["total"], 1);
        app
    })
    .await;
}

#[tokio::test]
async fn the_per_user_log_shows_only_what_the_caller_may_read() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let auditors = app
            .role("auditors", &["users.read", "users.activity"])
            .await;
        let auditor = app.user("auditor", false, Some(auditors)).await;
        let auditor_key = Auth::Key(
            app.key_for(&auditor, &["users.read", "users.activity"])
                .await,
        );
        let bob = app.user("bob", false, None).await;
        let bob_session = app.session("bob").await;
        let made = app
            .post(
                "/api/client/account/api-keys",
                &bob_session,
                r#"{"name": "bobs secret project", "admin_permissions": []}"#,
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let renamed = app
            .patch(
                &format!("/api/admin/users/{}", bob.uuid),
                &admin,
                r#"{"name_first": "Robert"}"#,
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK);

        let path = format!("/api/admin/users/{}/activity", bob.uuid);
        let seen = app.get(&path, &auditor_key).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        let rows = seen.body["activities"]["data"].as_array().unwrap().clone();
        let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["user:update", "auth:success", "user:create"]);
        assert_eq!(
            rows[0]["ip"],
            Value::Null,
            "another actor's address is hidden"
        );
        assert_eq!(
            rows[0]["credential"],
            json!({ "type": "api_key", "uuid": null, "name": null })
        );
        assert_eq!(
            rows[1]["ip"], "127.0.0.1",
            "the user's own address is theirs to see"
        );

        let everything = app.get(&path, &admin).await;
        let events: Vec<&str> = everything.body["activities"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["event"].as_str().unwrap())
            .collect();
        assert_eq!(
            events,
            [
                "user:update",
                "api-key:create",
                "auth:success",
                "user:create"
            ]
        );

        let root = app.admin_principal().await.user;
        app.get(
            &format!("/api/admin/users/{}/activity", root.uuid),
            &auditor_key,
        )
        .await
        .assert_error(403, &["only global admins can modify or delete an admin"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_revoked_key_gets_no_stored_reply_and_strangers_cost_nothing() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let body = json!({ "username": "kim", "email": "kim@example.com", "name_first": "Kim", "name_last": "Lee" })
            .to_string();
        let headers = [("idempotency-key", "create-kim")];
        let first = app
            .request_with(Method::POST, "/api/admin/users", &key, Some(&body), &headers)
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let session = app.session("root").await;
        let keys = app.get("/api/client/account/api-keys", &session).await;
        let uuid = keys.body["api_keys"]["data"][0]["uuid"].as_str().unwrap().to_owned();
        let revoked = app
            .delete(&format!("/api/client/account/api-keys/{uuid}"), &session)
            .await;
        assert_eq!(revoked.status, StatusCode::OK);
        let again = app
            .request_with(Method::POST, "/api/admin/users", &key, Some(&body), &headers)
            .await;
        again.assert_error(401, &["invalid api key"]);
        assert!(again.headers.get("idempotent-replayed").is_none());

        let before = idempotency_rows(&app).await;
        let stranger = app
            .request_with(
                Method::POST,
                "/api/admin/users",
                &Auth::None,
                Some(&body),
                &[("idempotency-key", "from-nobody")],
            )
            .await;
        stranger.assert_error(401, &["missing authorization"]);
        assert_eq!(idempotency_rows(&app).await, before, "nothing written");
        app
    })
    .await;
}

async fn idempotency_rows(app: &TestApp) -> i64 {
    let sql = "SELECT count(*) FROM idempotency_keys";
    match app.core.database() {
        roster::store::Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        roster::store::Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("rows counted")
}

#[tokio::test]
async fn the_outbox_keeps_neither_dead_links_nor_old_mail() {
    on_each_backend(|app| async move {
        for name in ["early", "late"] {
            app.user(name, false, None).await;
            let forgot = json!({ "email": format!("{name}@example.com") }).to_string();
            app.post("/api/auth/password/forgot", &Auth::None, &forgot)
                .await;
        }
        app.core.settle().await;
        assert_eq!(
            app.core.purge_mail().await.unwrap(),
            0,
            "nothing is due yet"
        );
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        let long_ago = chrono::Utc::now() - chrono::Duration::days(8);
        let expire =
            "UPDATE mail_outbox SET link_expires = $1 WHERE recipient = 'early@example.com'";
        let sent =
            "UPDATE mail_outbox SET sent = $1, link = NULL WHERE recipient = 'late@example.com'";
        match app.core.database() {
            roster::store::Database::Sqlite(pool) => {
                sqlx::query(expire).bind(past).execute(pool).await.unwrap();
                sqlx::query(sent)
                    .bind(long_ago)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            roster::store::Database::Postgres(pool) => {
                sqlx::query(expire).bind(past).execute(pool).await.unwrap();
                sqlx::query(sent)
                    .bind(long_ago)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        assert_eq!(app.core.purge_mail().await.unwrap(), 2);
        assert_eq!(
            app.core
                .list_outbox(&roster::Principal::operator(), ListQuery::default())
                .await
                .unwrap()
                .total,
            0
        );
        app
    })
    .await;
}
