//! Roles and the minimal server records, on every backend.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

async fn new_user(app: &TestApp, key: &Auth, name: &str) -> String {
    let body = json!({ "username": name, "email": format!("{name}@example.com"), "name_first": "Ow", "name_last": "Ner" });
    app.post("/api/admin/users", key, &body.to_string())
        .await
        .body["user"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn roles_can_be_created_read_updated_and_deleted() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let reply = app.post("/api/admin/roles", &key, r#"{"name": "Support", "description": "Helps", "admin_permissions": ["users.update", "users.read"]}"#).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let role = reply.body["role"].clone();
        assert_eq!(
            role,
            json!({ "uuid": role["uuid"], "name": "Support", "description": "Helps",
                    "admin_permissions": ["users.read", "users.update"], "require_two_factor": false,
                    "created": role["created"] })
        );
        let path = format!("/api/admin/roles/{}", role["uuid"].as_str().unwrap());
        assert_eq!(app.get(&path, &key).await.body, json!({ "role": role }));

        let list = app.get("/api/admin/roles", &key).await;
        assert_eq!(list.body, json!({ "roles": { "total": 1, "per_page": 10, "page": 1, "data": [role] } }));

        let reply = app.patch(&path, &key, r#"{"description": null, "admin_permissions": []}"#).await;
        assert_eq!(reply.body["role"]["description"], Value::Null);
        assert_eq!(reply.body["role"]["admin_permissions"], json!([]));
        assert_eq!(reply.body["role"]["name"], "Support");

        let reply = app.delete(&path, &key).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        app.get(&path, &key).await.assert_error(404, &["role not found"]);
        app.get("/api/admin/roles/xyz", &key).await.assert_error(400, &["invalid role uuid"]);
        app
    })
    .await;
}

#[tokio::test]
async fn role_names_are_unique_case_insensitively() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.post("/api/admin/roles", &key, r#"{"name": "Mods"}"#)
            .await;
        app.post("/api/admin/roles", &key, r#"{"name": "mods"}"#)
            .await
            .assert_error(409, &["role with name already exists"]);
        let other = app
            .post("/api/admin/roles", &key, r#"{"name": "Others"}"#)
            .await;
        let path = format!(
            "/api/admin/roles/{}",
            other.body["role"]["uuid"].as_str().unwrap()
        );
        app.patch(&path, &key, r#"{"name": "MODS"}"#)
            .await
            .assert_error(409, &["role with name already exists"]);
        app.post("/api/admin/roles", &key, r#"{"name": ""}"#)
            .await
            .assert_error(400, &["name: length is lower than 1"]);
        app
    })
    .await;
}

#[tokio::test]
async fn deleting_a_role_leaves_its_users_without_one() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let role = app.role("temporary", &["users.read"]).await;
        let user = app.user("member", false, Some(role)).await;
        assert_eq!(
            app.delete(&format!("/api/admin/roles/{role}"), &key)
                .await
                .status,
            StatusCode::OK
        );
        let reply = app
            .get(&format!("/api/admin/users/{}", user.uuid), &key)
            .await;
        assert_eq!(reply.body["user"]["role"], Value::Null);
        app
    })
    .await;
}

#[tokio::test]
async fn servers_can_be_created_listed_transferred_and_deleted() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let alice = new_user(&app, &key, "alice").await;
        let bob = new_user(&app, &key, "bob").await;
        let reply = app
            .post(
                "/api/admin/servers",
                &key,
                &json!({ "name": "Survival", "owner_uuid": alice }).to_string(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let server = reply.body["server"].clone();
        assert_eq!(
            server,
            json!({ "uuid": server["uuid"], "name": "Survival", "owner_uuid": alice,
                    "owner_username": "alice", "created": server["created"] })
        );
        let path = format!("/api/admin/servers/{}", server["uuid"].as_str().unwrap());
        let owned = app
            .get(&format!("/api/admin/users/{alice}/servers"), &key)
            .await;
        assert_eq!(
            owned.body,
            json!({ "servers": { "total": 1, "per_page": 10, "page": 1, "data": [server] } })
        );

        let reply = app
            .patch(&path, &key, &json!({ "owner_uuid": bob }).to_string())
            .await;
        assert_eq!(reply.body["server"]["owner_uuid"], bob.as_str());
        assert_eq!(reply.body["server"]["owner_username"], "bob");
        assert_eq!(
            app.get(&format!("/api/admin/users/{alice}/servers"), &key)
                .await
                .body["servers"]["total"],
            0
        );
        assert_eq!(
            app.get("/api/admin/servers", &key).await.body["servers"]["total"],
            1
        );

        let nobody = uuid::Uuid::new_v4();
        app.patch(&path, &key, &json!({ "owner_uuid": nobody }).to_string())
            .await
            .assert_error(400, &["invalid relation `owner` provided"]);
        app.post(
            "/api/admin/servers",
            &key,
            &json!({ "name": "x", "owner_uuid": nobody }).to_string(),
        )
        .await
        .assert_error(400, &["invalid relation `owner` provided"]);
        app.get(&format!("/api/admin/users/{nobody}/servers"), &key)
            .await
            .assert_error(404, &["user not found"]);

        assert_eq!(app.delete(&path, &key).await.body, json!({}));
        app.get(&path, &key)
            .await
            .assert_error(404, &["server not found"]);
        app.get("/api/admin/servers/12", &key)
            .await
            .assert_error(400, &["invalid server uuid"]);
        app
    })
    .await;
}
