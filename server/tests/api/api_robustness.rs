//! Whatever arrives, Roster answers with a clear error, loses nothing and leaks nothing.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, on_each_backend};
use serde_json::json;

#[tokio::test]
async fn health_reports_the_database() {
    on_each_backend(|app| async move {
        let reply = app.get("/api/health", &Auth::None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.body,
            json!({ "status": "ok", "database": app.backend })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn unknown_api_routes_are_404_route_not_found() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        for path in [
            "/api",
            "/api/nope",
            "/api/admin/users/a/b/c",
            "/api/admin/widgets",
        ] {
            app.get(path, &Auth::None)
                .await
                .assert_error(404, &["route not found"]);
            app.get(path, &key)
                .await
                .assert_error(404, &["route not found"]);
        }
        app.request(Method::PUT, "/api/admin/users", &key, Some("{}"))
            .await
            .assert_error(405, &["method not allowed"]);
        app
    })
    .await;
}

#[tokio::test]
async fn hostile_inputs_never_fail_the_server_and_change_nothing() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let existing = app.post("/api/admin/users", &key, r#"{"username": "keep", "email": "keep@example.com", "name_first": "Ke", "name_last": "Ep"}"#).await;
        let keep = existing.body["user"]["uuid"].as_str().unwrap().to_owned();
        let before = app.get("/api/admin/users?per_page=100", &key).await.body;

        let bodies = [
            r#"{"username": "x'); DROP TABLE users; --", "email": "a@b.co", "name_first": "Ab", "name_last": "Cd"}"#.to_owned(),
            r#"{"username": "robert", "email": "r@b.co'; DELETE FROM users; --", "name_first": "Ab", "name_last": "Cd"}"#.to_owned(),
            r#"{"username": "ünï", "email": "ü@ü.ü", "name_first": "\u0000\u0007", "name_last": "Cd"}"#.to_owned(),
            r#"{"username": null, "email": [], "name_first": {}, "name_last": 1.5}"#.to_owned(),
            r#"[1, 2, 3]"#.to_owned(),
            r#""just a string""#.to_owned(),
            "\u{feff}{}".to_owned(),
            format!(r#"{{"username": "{}", "email": "a@b.co", "name_first": "Ab", "name_last": "Cd"}}"#, "a".repeat(100_000)),
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            r#"{"username": "keep", "email": "other@example.com", "name_first": "Ab", "name_last": "Cd"}"#.to_owned(),
            r#"{"username": "newone", "email": "n@example.com", "name_first": "Ab", "name_last": "Cd", "admin": "yes"}"#.to_owned(),
            r#"{"username": "newone", "email": "n@example.com", "name_first": "Ab", "name_last": "Cd", "password": "1234567"}"#.to_owned(),
        ];
        for body in &bodies {
            let reply = app.post("/api/admin/users", &key, body).await;
            assert!(reply.status.is_client_error(), "{} for {}", reply.status, &body[..body.len().min(80)]);
            assert!(!reply.errors().is_empty());
            let reply = app.patch(&format!("/api/admin/users/{keep}"), &key, body).await;
            assert!(reply.status.is_client_error() || reply.status == StatusCode::OK, "{}", reply.status);
        }
        let huge = "x".repeat(3 * 1024 * 1024);
        let reply = app.post("/api/admin/users", &key, &huge).await;
        reply.assert_error(413, &["payload too large"]);

        for query in ["search=%25", "search=_", "search=%27%20OR%201%3D1", "search=%00", "search=%F0%9F%98%80", "per_page=-1", "page=99999999999", "page=1&page=2", "search=%ZZ"] {
            let reply = app.get(&format!("/api/admin/users?{query}"), &key).await;
            assert!(reply.status == StatusCode::OK || reply.status == StatusCode::BAD_REQUEST, "{query}: {}", reply.status);
        }
        app.get("/api/admin/users?search=a%00b", &key).await.assert_error(400, &["search: must not contain control characters"]);
        app.get("/api/admin/roles?search=%00", &key).await.assert_error(400, &["search: must not contain control characters"]);
        app.get("/api/admin/users/external/a%00b", &key).await.assert_error(404, &["user not found"]);
        app.post("/api/auth/login", &Auth::None, r#"{"user": "ke\u0000ep", "password": "whatever1"}"#)
            .await
            .assert_error(401, &["invalid username or password"]);
        app.post("/api/admin/roles", &key, r#"{"name": "nul", "description": "a\u0000b"}"#)
            .await
            .assert_error(400, &["description: must not contain NUL characters"]);
        for path in ["/api/admin/users/%00", "/api/admin/users/..%2F..%2Fetc", "/api/admin/users/external/%FF", "/api/admin/users/external/%00"] {
            let reply = app.get(path, &key).await;
            assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
            assert!(!reply.errors().is_empty(), "{path}");
        }
        let after = app.get("/api/admin/users?per_page=100", &key).await.body;
        let names = |v: &serde_json::Value| -> Vec<String> {
            v["users"]["data"].as_array().unwrap().iter().map(|u| format!("{}", u)).collect()
        };
        let unchanged_or_renamed = names(&before).len() == names(&after).len();
        assert!(unchanged_or_renamed, "no user appeared or vanished");
        app
    })
    .await;
}

#[tokio::test]
async fn no_response_contains_a_secret() {
    on_each_backend(|app| async move {
        app.user("secretive", true, None).await;
        let session = app.session("secretive").await;
        let Auth::Session(token) = session.clone() else { unreachable!() };
        let created = app.post("/api/client/account/api-keys", &session, r#"{"name": "k", "admin_permissions": ["users.read", "users.create", "users.update"]}"#).await;
        let key = created.body["key"].as_str().unwrap().to_owned();
        let key_hash = roster::secret::sha256_hex(&key);
        let auth = Auth::Key(key.clone());
        let mut replies = vec![
            app.get("/api/admin/users", &auth).await,
            app.get("/api/client/account", &session).await,
            app.get("/api/client/account/api-keys", &session).await,
            app.post("/api/admin/users", &auth, r#"{"username": "pw_user", "email": "pw@example.com", "name_first": "Pw", "name_last": "Us", "password": "super secret pw"}"#).await,
        ];
        let uuid = replies[3].body["user"]["uuid"].as_str().unwrap().to_owned();
        replies.push(app.patch(&format!("/api/admin/users/{uuid}"), &auth, r#"{"password": "another secret pw"}"#).await);
        replies.push(app.get(&format!("/api/admin/users/{uuid}"), &auth).await);
        for reply in replies {
            let text = format!("{} {:?}", reply.body, reply.headers);
            for secret in [key.as_str(), key_hash.as_str(), token.as_str(), "$argon2", "super secret pw", "another secret pw", "password_hash"] {
                assert!(!text.contains(secret), "a response leaked {secret}: {text}");
            }
        }
        app
    })
    .await;
}
