//! Suspension: a suspended user's sessions end, their keys and sign-in are refused everywhere
//! but their own account; the last active global admin cannot be suspended.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, on_each_backend};
use serde_json::json;

const SUSPENDED: &str = "account is suspended";

#[tokio::test]
async fn suspending_ends_sessions_and_refuses_keys_and_sign_in() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let role = app.role("helpers", &["users.read"]).await;
        let member = app.user("member", false, Some(role)).await;
        let session = app.session("member").await;
        let key = Auth::Key(app.key_for(&member, &["users.read"]).await);
        assert_eq!(
            app.get("/api/admin/users", &key).await.status,
            StatusCode::OK
        );

        let path = format!("/api/admin/users/{}", member.uuid);
        let reply = app.patch(&path, &admin, r#"{"suspended": true}"#).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["user"]["suspended"], true);

        app.get("/api/client/account", &session)
            .await
            .assert_error(401, &["invalid session"]);
        for route in [
            "/api/admin/users",
            "/api/client/account/api-keys",
            "/api/client/account/sessions",
        ] {
            app.get(route, &key).await.assert_error(403, &[SUSPENDED]);
        }
        let own = app.get("/api/client/account", &key).await;
        assert_eq!(own.status, StatusCode::OK);
        assert_eq!(own.body["user"]["suspended"], true);
        let login = json!({ "user": "member", "password": PASSWORD }).to_string();
        let reply = app.post("/api/auth/login", &Auth::None, &login).await;
        reply.assert_error(403, &[SUSPENDED]);
        assert!(reply.headers.get("set-cookie").is_none());
        let wrong = json!({ "user": "member", "password": "not the password" }).to_string();
        app.post("/api/auth/login", &Auth::None, &wrong)
            .await
            .assert_error(401, &["invalid username or password"]);

        let reply = app.patch(&path, &admin, r#"{"suspended": false}"#).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            app.get("/api/admin/users", &key).await.status,
            StatusCode::OK
        );
        app.session("member").await;
        app
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_by_suspension() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        app.user("active_one", false, None).await;
        let body = json!({
            "username": "benched", "email": "benched@example.com", "name_first": "Be",
            "name_last": "Nched", "suspended": true,
        });
        let reply = app
            .post("/api/admin/users", &admin, &body.to_string())
            .await;
        assert_eq!(reply.body["user"]["suspended"], true);
        let names = |body: &serde_json::Value| {
            body["users"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let suspended = app
            .get("/api/admin/users?suspended=true", &admin)
            .await
            .body;
        assert_eq!(
            (suspended["users"]["total"].clone(), names(&suspended)),
            (json!(1), vec!["benched".to_owned()])
        );
        let active = app
            .get("/api/admin/users?suspended=false&search=e", &admin)
            .await
            .body;
        assert!(!names(&active).contains(&"benched".to_owned()));
        assert!(names(&active).contains(&"active_one".to_owned()));
        app.get("/api/admin/users?suspended=maybe", &admin)
            .await
            .assert_error(400, &["suspended: must be true or false"]);
        app
    })
    .await;
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_suspended_and_nobody_suspends_themselves() {
    on_each_backend(|app| async move {
        let first = app.user("first", true, None).await;
        let second = app.user("second", true, None).await;
        let session = app.session("first").await;
        app.patch(
            &format!("/api/admin/users/{}", first.uuid),
            &session,
            r#"{"suspended": true}"#,
        )
        .await
        .assert_error(400, &["cannot suspend your own account"]);
        let reply = app
            .patch(
                &format!("/api/admin/users/{}", second.uuid),
                &session,
                r#"{"suspended": true}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let key = Auth::Key(app.key_for(&second, &[]).await);
        app.get("/api/client/account/api-keys", &key)
            .await
            .assert_error(403, &[SUSPENDED]);
        app.patch(
            &format!("/api/admin/users/{}", first.uuid),
            &session,
            r#"{"admin": false}"#,
        )
        .await
        .assert_error(400, &["cannot remove the last global admin"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_role_admin_cannot_suspend_a_global_admin() {
    on_each_backend(|app| async move {
        let role = app
            .role("user admins", &["users.read", "users.update"])
            .await;
        app.user("deputy", false, Some(role)).await;
        let chief = app.user("chief", true, None).await;
        let session = app.session("deputy").await;
        app.patch(
            &format!("/api/admin/users/{}", chief.uuid),
            &session,
            r#"{"suspended": true}"#,
        )
        .await
        .assert_error(403, &["only global admins can modify or delete an admin"]);
        app
    })
    .await;
}
