//! A user's sessions: listed, ended one by one or all but this one, ended by a password change,
//! and purged once expired.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp, on_each_backend};
use roster::store::Database;
use serde_json::json;

const SESSION_REQUIRED: &str = "this action needs a signed-in session, not an api key";

async fn account_status(app: &TestApp, auth: &Auth) -> u16 {
    app.get("/api/client/account", auth).await.status.as_u16()
}

#[tokio::test]
async fn a_password_change_by_an_admin_ends_every_session_of_that_user() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let member = app.user("member", false, None).await;
        let laptop = app.session("member").await;
        let phone = app.session("member").await;
        assert_eq!(account_status(&app, &laptop).await, 200);
        let reply = app
            .patch(
                &format!("/api/admin/users/{}", member.uuid),
                &admin,
                r#"{"password": "a fresh password"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for session in [&laptop, &phone] {
            app.get("/api/client/account", session)
                .await
                .assert_error(401, &["invalid session"]);
        }
        app.session_from("member", "a fresh password", "browser")
            .await;
        app
    })
    .await;
}

#[tokio::test]
async fn changing_your_own_password_keeps_this_session_and_ends_the_others() {
    on_each_backend(|app| async move {
        app.user("myself", true, None).await;
        let here = app.session("myself").await;
        let elsewhere = app.session("myself").await;
        let body = json!({ "password": PASSWORD, "new_password": "my new password" }).to_string();
        let reply = app
            .request(
                axum::http::Method::PUT,
                "/api/client/account/password",
                &here,
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(account_status(&app, &here).await, 200);
        app.get("/api/client/account", &elsewhere)
            .await
            .assert_error(401, &["invalid session"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_rename_leaves_sessions_alone_and_an_email_change_ends_them() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let member = app.user("member", false, None).await;
        let session = app.session("member").await;
        let path = format!("/api/admin/users/{}", member.uuid);
        let reply = app
            .patch(&path, &admin, r#"{"name_first": "Renamed"}"#)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(account_status(&app, &session).await, 200);
        let reply = app
            .patch(&path, &admin, r#"{"email": "renamed@example.com"}"#)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(account_status(&app, &session).await, 401);
        app
    })
    .await;
}

#[tokio::test]
async fn sessions_are_listed_newest_first_without_their_tokens() {
    on_each_backend(|app| async move {
        app.user("traveller", false, None).await;
        let first = app
            .session_from("traveller", PASSWORD, "Firefox on a laptop")
            .await;
        let long_agent = "x".repeat(1000);
        app.session_from("traveller", PASSWORD, &long_agent).await;
        let last = app
            .session_from("traveller", PASSWORD, "Safari on a phone")
            .await;
        let reply = app.get("/api/client/account/sessions", &last).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let page = &reply.body["sessions"];
        assert_eq!(
            (page["total"].clone(), page["page"].clone()),
            (json!(3), json!(1))
        );
        let data = page["data"].as_array().unwrap();
        assert_eq!(data[0]["user_agent"], "Safari on a phone");
        assert_eq!(data[0]["current"], true);
        assert_eq!(data[1]["user_agent"], "x".repeat(256));
        assert_eq!(data[2]["user_agent"], "Firefox on a laptop");
        assert_eq!(data[1]["current"], false);
        for session in data {
            let mut keys: Vec<&str> = session
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort();
            assert_eq!(
                keys,
                [
                    "created",
                    "current",
                    "device",
                    "expires",
                    "ip",
                    "last_seen",
                    "user_agent",
                    "uuid"
                ]
            );
        }
        let Auth::Session(token) = &first else {
            unreachable!()
        };
        assert!(!reply.body.to_string().contains(token.as_str()));
        app
    })
    .await;
}

#[tokio::test]
async fn a_session_can_be_ended_on_its_own_and_only_by_its_owner() {
    on_each_backend(|app| async move {
        app.user("owner", false, None).await;
        app.user("stranger", false, None).await;
        let old = app.session_from("owner", PASSWORD, "old browser").await;
        let current = app.session_from("owner", PASSWORD, "new browser").await;
        let stranger = app.session("stranger").await;
        let list = app.get("/api/client/account/sessions", &current).await.body;
        let old_uuid = list["sessions"]["data"][1]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/client/account/sessions/{old_uuid}");

        app.delete(&path, &stranger)
            .await
            .assert_error(404, &["session not found"]);
        assert_eq!(account_status(&app, &old).await, 200);

        let reply = app.delete(&path, &current).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        app.get("/api/client/account", &old)
            .await
            .assert_error(401, &["invalid session"]);
        assert_eq!(account_status(&app, &current).await, 200);
        app.delete(&path, &current)
            .await
            .assert_error(404, &["session not found"]);
        app.delete("/api/client/account/sessions/not-a-uuid", &current)
            .await
            .assert_error(400, &["invalid session uuid"]);
        app
    })
    .await;
}

#[tokio::test]
async fn ending_all_other_sessions_keeps_only_this_one() {
    on_each_backend(|app| async move {
        app.user("busy", false, None).await;
        let others = [app.session("busy").await, app.session("busy").await];
        let here = app.session("busy").await;
        let reply = app.delete("/api/client/account/sessions", &here).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        for other in &others {
            app.get("/api/client/account", other)
                .await
                .assert_error(401, &["invalid session"]);
        }
        let list = app.get("/api/client/account/sessions", &here).await.body;
        assert_eq!(list["sessions"]["total"], 1);
        assert_eq!(list["sessions"]["data"][0]["current"], true);
        app
    })
    .await;
}

#[tokio::test]
async fn a_key_neither_reads_nor_ends_its_owners_sessions() {
    on_each_backend(|app| async move {
        let admin = app.user("keyholder", true, None).await;
        let session = app.session("keyholder").await;
        let all: Vec<&str> = roster::Permission::ALL.iter().map(|p| p.as_str()).collect();
        let key = Auth::Key(app.key_for(&admin, &all).await);
        app.get("/api/client/account/sessions", &key)
            .await
            .assert_error(403, &[SESSION_REQUIRED]);
        let list = app.get("/api/client/account/sessions", &session).await.body;
        let uuid = list["sessions"]["data"][0]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        app.delete(&format!("/api/client/account/sessions/{uuid}"), &key)
            .await
            .assert_error(403, &[SESSION_REQUIRED]);
        app.delete("/api/client/account/sessions", &key)
            .await
            .assert_error(403, &[SESSION_REQUIRED]);
        app.post(
            "/api/client/account/api-keys",
            &key,
            r#"{"name": "minted"}"#,
        )
        .await
        .assert_error(403, &[SESSION_REQUIRED]);
        assert_eq!(account_status(&app, &session).await, 200);
        app
    })
    .await;
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    on_each_backend(|app| async move {
        app.user("sleeper", false, None).await;
        app.user("awake", false, None).await;
        let expired = app.session("sleeper").await;
        let live = app.session("awake").await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        let sql = "UPDATE sessions SET expires = $1 WHERE user_uuid = \
                   (SELECT uuid FROM users WHERE username = 'sleeper')";
        match app.core.database() {
            Database::Sqlite(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
            Database::Postgres(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
        }
        .expect("expiry moved back");
        app.get("/api/client/account", &expired)
            .await
            .assert_error(401, &["invalid session"]);
        assert_eq!(app.core.purge_expired_sessions().await.unwrap(), 1);
        assert_eq!(app.core.purge_expired_sessions().await.unwrap(), 0);
        assert_eq!(account_status(&app, &live).await, 200);
        app
    })
    .await;
}
