//! Authentication, sessions, API keys and the permission rule, on every backend.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp, on_each_backend};
use serde_json::{Value, json};

#[tokio::test]
async fn requests_without_credentials_are_401_missing_authorization() {
    on_each_backend(|app| async move {
        app.get("/api/admin/users", &Auth::None)
            .await
            .assert_error(401, &["missing authorization"]);
        app.get("/api/client/account", &Auth::None)
            .await
            .assert_error(401, &["missing authorization"]);
        app
    })
    .await;
}

#[tokio::test]
async fn unknown_sessions_and_keys_are_rejected_by_kind() {
    on_each_backend(|app| async move {
        app.get("/api/admin/users", &Auth::Session("forged".into()))
            .await
            .assert_error(401, &["invalid session"]);
        app.get("/api/admin/users", &Auth::Key("ptlc_nope".into()))
            .await
            .assert_error(401, &["invalid api key"]);
        let well_formed = format!("ptlc_{}", "A".repeat(43));
        app.get("/api/admin/users", &Auth::Key(well_formed))
            .await
            .assert_error(401, &["invalid api key"]);
        app.get(
            "/api/admin/users",
            &Auth::Header("Basic dXNlcjpwYXNz".into()),
        )
        .await
        .assert_error(401, &["invalid api key"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_tampered_key_with_a_known_start_is_rejected() {
    on_each_backend(|app| async move {
        let Auth::Key(key) = app.admin_key().await else {
            unreachable!()
        };
        let mut tampered = key.clone();
        let last = if tampered.ends_with('A') { 'B' } else { 'A' };
        tampered.pop();
        tampered.push(last);
        app.get("/api/admin/users", &Auth::Key(tampered))
            .await
            .assert_error(401, &["invalid api key"]);
        assert_eq!(
            app.get("/api/admin/users", &Auth::Key(key)).await.status,
            StatusCode::OK
        );
        app
    })
    .await;
}

#[tokio::test]
async fn login_sets_an_http_only_cookie_and_logout_ends_the_session() {
    on_each_backend(|app| async move {
        app.user("alice", true, None).await;
        let body = json!({ "user": "alice@example.com", "password": PASSWORD }).to_string();
        let reply = app.post("/api/auth/login", &Auth::None, &body).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["user"]["username"], "alice");
        let cookie = reply.headers["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("roster_session="));
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/")
        );

        let session = app.session("ALICE").await;
        let account = app.get("/api/client/account", &session).await;
        assert_eq!(account.status, StatusCode::OK);
        assert_eq!(account.body["user"]["username"], "alice");
        assert_eq!(
            app.get("/api/admin/users", &session).await.status,
            StatusCode::OK
        );

        let reply = app
            .request(axum::http::Method::POST, "/api/auth/logout", &session, None)
            .await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        app.get("/api/client/account", &session)
            .await
            .assert_error(401, &["invalid session"]);
        app
    })
    .await;
}

#[tokio::test]
async fn wrong_credentials_do_not_say_which_part_was_wrong() {
    on_each_backend(|app| async move {
        app.user("bob", false, None).await;
        let wrong_password = json!({ "user": "bob", "password": "not the password" }).to_string();
        app.post("/api/auth/login", &Auth::None, &wrong_password)
            .await
            .assert_error(401, &["invalid username or password"]);
        let wrong_user = json!({ "user": "nobody", "password": PASSWORD }).to_string();
        app.post("/api/auth/login", &Auth::None, &wrong_user)
            .await
            .assert_error(401, &["invalid username or password"]);
        app.post("/api/auth/login", &Auth::None, "{}")
            .await
            .assert_error(
                400,
                &["invalid payload: missing field `user` at line 1 column 2"],
            );
        app
    })
    .await;
}

#[tokio::test]
async fn a_user_without_admin_permissions_is_401_unauthorized() {
    on_each_backend(|app| async move {
        app.user("plain", false, None).await;
        let session = app.session("plain").await;
        app.get("/api/admin/users", &session)
            .await
            .assert_error(401, &["unauthorized"]);
        assert_eq!(
            app.get("/api/client/account", &session).await.status,
            StatusCode::OK
        );
        app
    })
    .await;
}

#[tokio::test]
async fn api_keys_are_shown_once_listed_without_secret_and_revocable() {
    on_each_backend(|app| async move {
        app.user("keeper", true, None).await;
        let session = app.session("keeper").await;
        let reply = app
            .post(
                "/api/client/account/api-keys",
                &session,
                r#"{"name": "billing", "admin_permissions": ["users.read", "users.create"]}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let key = reply.body["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("ptlc_") && key.len() == 48);
        let api_key = &reply.body["api_key"];
        assert_eq!(api_key["name"], "billing");
        assert_eq!(
            api_key["admin_permissions"],
            json!(["users.read", "users.create"])
        );
        assert_eq!(api_key["key_start"], key[..16]);
        assert_eq!(api_key["expires"], Value::Null);

        let list = app.get("/api/client/account/api-keys", &session).await;
        assert_eq!(list.body["api_keys"]["total"], 1);
        assert_eq!(list.body["api_keys"]["data"][0], *api_key);
        assert!(!list.body.to_string().contains(&key));

        let auth = Auth::Key(key);
        assert_eq!(
            app.get("/api/admin/users", &auth).await.status,
            StatusCode::OK
        );
        app.delete(&format!("/api/admin/users/{}", uuid::Uuid::new_v4()), &auth)
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: users.delete"],
            );

        let uuid = api_key["uuid"].as_str().unwrap();
        let reply = app
            .delete(&format!("/api/client/account/api-keys/{uuid}"), &session)
            .await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        app.get("/api/admin/users", &auth)
            .await
            .assert_error(401, &["invalid api key"]);
        app.delete(&format!("/api/client/account/api-keys/{uuid}"), &session)
            .await
            .assert_error(404, &["api key not found"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_key_never_gets_a_permission_its_user_lacks() {
    on_each_backend(|app| async move {
        let role = app.role("readers", &["users.read"]).await;
        app.user("reader", false, Some(role)).await;
        let session = app.session("reader").await;
        app.post(
            "/api/client/account/api-keys",
            &session,
            r#"{"name": "k", "admin_permissions": ["users.read", "users.delete"]}"#,
        )
        .await
        .assert_error(
            403,
            &["you do not have permission to perform this action: users.delete"],
        );
        app.post(
            "/api/client/account/api-keys",
            &session,
            r#"{"name": "k", "admin_permissions": ["users.fly"]}"#,
        )
        .await
        .assert_error(400, &["admin_permissions: unknown permission `users.fly`"]);
        app.post(
            "/api/client/account/api-keys",
            &session,
            r#"{"name": "k", "expires": "2001-01-01T00:00:00Z"}"#,
        )
        .await
        .assert_error(400, &["expires: must be in the future"]);
        assert_eq!(
            app.get("/api/client/account/api-keys", &session).await.body["api_keys"]["total"],
            0
        );
        app
    })
    .await;
}

#[tokio::test]
async fn an_expired_key_is_an_invalid_api_key() {
    on_each_backend(|app| async move {
        let user = app.user("expiring", true, None).await;
        let long_ago = chrono::Utc::now() - chrono::Duration::hours(2);
        let input = roster::domain::api_key::NewApiKey::parse(
            roster::domain::api_key::CreateApiKeyRequest {
                name: "old".into(),
                admin_permissions: vec!["users.read".into()],
                expires: Some(long_ago + chrono::Duration::hours(1)),
            },
            long_ago,
        )
        .unwrap();
        let created = app
            .core
            .create_api_key(&roster::Principal::operator_for(user), input)
            .await
            .unwrap();
        app.get("/api/admin/users", &Auth::Key(created.key))
            .await
            .assert_error(401, &["invalid api key"]);
        app
    })
    .await;
}

#[tokio::test]
async fn the_permission_catalogue_lists_groups_with_descriptions() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let reply = app.get("/api/client/permissions", &key).await;
        assert_eq!(reply.status, StatusCode::OK);
        let users = &reply.body["admin_permissions"]["users"];
        assert_eq!(users["description"], "Panel accounts.");
        let mut actions: Vec<&String> = users["permissions"].as_object().unwrap().keys().collect();
        actions.sort();
        assert_eq!(
            actions,
            [
                "activity",
                "create",
                "delete",
                "disable-two-factor",
                "email",
                "impersonate",
                "oauth-links",
                "read",
                "update"
            ]
        );
        assert_eq!(
            users["permissions"]["email"],
            "Send users mail, such as a password reset link."
        );
        assert_eq!(
            users["permissions"]["read"],
            "List, search and view users and their servers."
        );
        assert!(reply.body["admin_permissions"]["roles"].is_object());
        assert!(reply.body["admin_permissions"]["servers"].is_object());
        app
    })
    .await;
}

async fn target_user(app: &TestApp, key: &Auth, name: &str) -> String {
    let body = json!({ "username": name, "email": format!("{name}@example.com"), "name_first": "Ta", "name_last": "Rget" });
    let reply = app.post("/api/admin/users", key, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["user"]["uuid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn role_admins_meet_the_guardrails() {
    on_each_backend(|app| async move {
        let admin_key = app.admin_key().await;
        let all: Vec<&str> = roster::Permission::ALL.iter().map(|p| p.as_str()).collect();
        let role = app.role("deputies", &all).await;
        let deputy = app.user("deputy", false, Some(role)).await;
        let session = app.session("deputy").await;
        let target = target_user(&app, &admin_key, "target").await;
        let target_path = format!("/api/admin/users/{target}");
        let boss = app.user("boss", true, None).await;

        let mut body = json!({ "username": "newadmin", "email": "na@example.com", "name_first": "Ne", "name_last": "Wa", "admin": true });
        app.post("/api/admin/users", &session, &body.to_string()).await.assert_error(403, &["only global admins can grant admin rights"]);
        body["admin"] = json!(false);
        body["role_uuid"] = json!(role);
        app.post("/api/admin/users", &session, &body.to_string()).await.assert_error(403, &["only global admins can assign roles"]);

        app.patch(&target_path, &session, r#"{"admin": true}"#).await.assert_error(403, &["only global admins can grant admin rights"]);
        app.patch(&target_path, &session, &json!({ "role_uuid": role }).to_string()).await.assert_error(403, &["only global admins can assign roles"]);
        app.patch(&target_path, &session, r#"{"email": "new@example.com"}"#).await.assert_error(403, &["only global admins can change another user's email or password"]);
        app.patch(&target_path, &session, r#"{"password": "another password"}"#).await.assert_error(403, &["only global admins can change another user's email or password"]);
        let boss_path = format!("/api/admin/users/{}", boss.uuid);
        app.patch(&boss_path, &session, r#"{"name_first": "Bossy"}"#).await.assert_error(403, &["only global admins can modify or delete an admin"]);
        app.delete(&boss_path, &session).await.assert_error(403, &["only global admins can modify or delete an admin"]);

        let own_path = format!("/api/admin/users/{}", deputy.uuid);
        app.patch(&own_path, &session, r#"{"email": "deputy-new@example.com"}"#).await.assert_error(
            403,
            &["your own email, password and two-factor change only through your account, signed in and with your current password"],
        );
        let own = json!({ "email": "deputy-new@example.com", "password": common::PASSWORD }).to_string();
        let reply = app.request(axum::http::Method::PUT, "/api/client/account/email", &session, Some(&own)).await;
        assert_eq!(reply.status, StatusCode::OK, "own email, in person: {}", reply.body);
        let reply = app.patch(&target_path, &session, r#"{"name_first": "Renamed"}"#).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(app.get(&target_path, &admin_key).await.body["user"]["email"], "target@example.com");
        app
    })
    .await;
}

#[tokio::test]
async fn a_role_admin_cannot_hand_out_permissions_they_lack() {
    on_each_backend(|app| async move {
        let role = app
            .role(
                "role_keepers",
                &["roles.read", "roles.create", "roles.update"],
            )
            .await;
        app.user("keeper", false, Some(role)).await;
        let session = app.session("keeper").await;
        app.post(
            "/api/admin/roles",
            &session,
            r#"{"name": "escalate", "admin_permissions": ["users.delete"]}"#,
        )
        .await
        .assert_error(
            403,
            &["you do not have permission to perform this action: users.delete"],
        );
        app.patch(
            &format!("/api/admin/roles/{role}"),
            &session,
            r#"{"admin_permissions": ["roles.delete"]}"#,
        )
        .await
        .assert_error(
            403,
            &["you do not have permission to perform this action: roles.delete"],
        );
        app
    })
    .await;
}

/// Every admin route with what it needs and a request that would succeed.
struct Route {
    method: &'static str,
    path: String,
    permission: &'static str,
    body: Option<String>,
}

async fn routes(app: &TestApp, key: &Auth, n: usize) -> Vec<Route> {
    let user = target_user(app, key, &format!("matrix{n}")).await;
    let victim = target_user(app, key, &format!("victim{n}")).await;
    let role = app
        .post(
            "/api/admin/roles",
            key,
            &json!({ "name": format!("matrix role {n}") }).to_string(),
        )
        .await
        .body["role"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let server = app
        .post(
            "/api/admin/servers",
            key,
            &json!({ "name": "matrix", "owner_uuid": user }).to_string(),
        )
        .await
        .body["server"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let doomed = app
        .post(
            "/api/admin/servers",
            key,
            &json!({ "name": "doomed", "owner_uuid": user }).to_string(),
        )
        .await
        .body["server"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let doomed_role = app
        .post(
            "/api/admin/roles",
            key,
            &json!({ "name": format!("doomed role {n}") }).to_string(),
        )
        .await
        .body["role"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = |method, path: String, permission, body: Option<Value>| Route {
        method,
        path,
        permission,
        body: body.map(|b| b.to_string()),
    };
    vec![
        r("GET", "/api/admin/users".into(), "users.read", None),
        r(
            "POST",
            "/api/admin/users".into(),
            "users.create",
            Some(
                json!({ "username": format!("made{n}"), "email": format!("made{n}@example.com"), "name_first": "Ma", "name_last": "De" }),
            ),
        ),
        r(
            "GET",
            format!("/api/admin/users/{user}"),
            "users.read",
            None,
        ),
        r(
            "GET",
            "/api/admin/users/external/none".into(),
            "users.read",
            None,
        ),
        r(
            "PATCH",
            format!("/api/admin/users/{user}"),
            "users.update",
            Some(json!({ "name_first": "Matrix" })),
        ),
        r(
            "DELETE",
            format!("/api/admin/users/{victim}"),
            "users.delete",
            None,
        ),
        r(
            "GET",
            format!("/api/admin/users/{user}/servers"),
            "servers.read",
            None,
        ),
        r("GET", "/api/admin/roles".into(), "roles.read", None),
        r(
            "POST",
            "/api/admin/roles".into(),
            "roles.create",
            Some(json!({ "name": format!("new role {n}") })),
        ),
        r(
            "GET",
            format!("/api/admin/roles/{role}"),
            "roles.read",
            None,
        ),
        r(
            "PATCH",
            format!("/api/admin/roles/{role}"),
            "roles.update",
            Some(json!({ "description": "x" })),
        ),
        r(
            "DELETE",
            format!("/api/admin/roles/{doomed_role}"),
            "roles.delete",
            None,
        ),
        r("GET", "/api/admin/servers".into(), "servers.read", None),
        r(
            "POST",
            "/api/admin/servers".into(),
            "servers.create",
            Some(json!({ "name": "new", "owner_uuid": user })),
        ),
        r(
            "GET",
            format!("/api/admin/servers/{server}"),
            "servers.read",
            None,
        ),
        r(
            "PATCH",
            format!("/api/admin/servers/{server}"),
            "servers.update",
            Some(json!({ "owner_uuid": user })),
        ),
        r(
            "DELETE",
            format!("/api/admin/servers/{doomed}"),
            "servers.delete",
            None,
        ),
    ]
}

async fn send(app: &TestApp, route: &Route, auth: &Auth) -> common::Reply {
    let method = route.method.parse().unwrap();
    app.request(method, &route.path, auth, route.body.as_deref())
        .await
}

#[tokio::test]
async fn every_admin_route_follows_the_permission_rule() {
    on_each_backend(|app| async move {
        let admin_key = app.admin_key().await;
        let all: Vec<&str> = roster::Permission::ALL.iter().map(|p| p.as_str()).collect();
        let role = app.role("everything", &all).await;
        let admin = app.user("global", true, None).await;
        app.user("roleadmin", false, Some(role)).await;
        app.user("nobody", false, None).await;
        let admin_session = app.session("global").await;
        let role_session = app.session("roleadmin").await;
        let plain_session = app.session("nobody").await;

        let expected_count = routes(&app, &admin_key, 0).await.len();
        assert_eq!(expected_count, 17);
        for (i, route) in routes(&app, &admin_key, 1).await.iter().enumerate() {
            let label = format!("{} {}", route.method, route.path);
            send(&app, route, &Auth::None)
                .await
                .assert_error(401, &["missing authorization"]);
            send(&app, route, &Auth::Key("ptlc_bad".into()))
                .await
                .assert_error(401, &["invalid api key"]);
            send(&app, route, &plain_session)
                .await
                .assert_error(401, &["unauthorized"]);
            let without: Vec<&str> = all
                .iter()
                .copied()
                .filter(|p| *p != route.permission)
                .collect();
            let narrow = Auth::Key(app.key_for(&admin, &without).await);
            send(&app, route, &narrow).await.assert_error(
                403,
                &[&format!(
                    "you do not have permission to perform this action: {}",
                    route.permission
                )],
            );
            let scoped: Vec<&str> = if route.path.starts_with("/api/admin/users/") {
                vec![route.permission, "users.read"]
            } else {
                vec![route.permission]
            };
            let reply = send(&app, route, &Auth::Key(app.key_for(&admin, &scoped).await)).await;
            let success = if route.path.contains("/external/") {
                404
            } else {
                200
            };
            assert_eq!(
                reply.status.as_u16(),
                success,
                "scoped key on {label}: {}",
                reply.body
            );

            let fresh = routes(&app, &admin_key, 10 + i * 2).await;
            let reply = send(&app, &fresh[i], &role_session).await;
            assert_eq!(
                reply.status.as_u16(),
                success,
                "role admin on {label}: {}",
                reply.body
            );
            let fresh = routes(&app, &admin_key, 11 + i * 2).await;
            let reply = send(&app, &fresh[i], &admin_session).await;
            assert_eq!(
                reply.status.as_u16(),
                success,
                "global admin on {label}: {}",
                reply.body
            );
        }
        app
    })
    .await;
}
