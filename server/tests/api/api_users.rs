//! The admin users routes, row by row of the contract, on every backend.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

const NEW_USER: &str = r#"{
    "username": "newuser",
    "email": "newuser@example.com",
    "name_first": "New",
    "name_last": "User",
    "admin": false
}"#;

#[track_caller]
fn assert_timestamp(value: &Value) {
    let text = value.as_str().expect("created is a string");
    assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
    assert!(
        text.ends_with('Z') && text.len() == 27,
        "RFC 3339 UTC with microseconds: {text}"
    );
}

#[track_caller]
fn assert_uuid_v4(value: &Value) {
    let uuid =
        uuid::Uuid::parse_str(value.as_str().expect("uuid is a string")).expect("uuid parses");
    assert_eq!(uuid.get_version_num(), 4);
}

async fn create(app: &TestApp, key: &Auth, body: Value) -> common::Reply {
    app.post("/api/admin/users", key, &body.to_string()).await
}

fn user_body(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "name_first": "Some",
        "name_last": "One",
    })
}

#[tokio::test]
async fn create_user_answers_200_with_the_user() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let reply = app.post("/api/admin/users", &key, NEW_USER).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let user = &reply.body["user"];
        assert_uuid_v4(&user["uuid"]);
        assert_timestamp(&user["created"]);
        assert_eq!(
            reply.body,
            json!({ "user": {
                "uuid": user["uuid"], "external_id": null, "username": "newuser", "role": null,
                "avatar": null, "email": "newuser@example.com", "name_first": "New",
                "name_last": "User", "admin": false, "frozen": false, "suspended": false,
                "totp_enabled": false, "totp_last_used": null, "require_two_factor": false,
                "language": "en", "toast_position": "top_right", "start_on_grouped_servers": true,
                "has_password": false, "created": user["created"], "last_login": null,
            }})
        );
        app
    })
    .await;
}

#[tokio::test]
async fn create_user_with_every_field_keeps_them() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let role = app.role("support", &["users.read"]).await;
        let reply = create(
            &app,
            &key,
            json!({
                "username": "full_user", "email": "Full@Example.com", "name_first": "Fu",
                "name_last": "Ll", "password": "a long password", "admin": true,
                "language": "de", "role_uuid": role, "external_id": "billing-42",
            }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let user = &reply.body["user"];
        assert_eq!(user["external_id"], "billing-42");
        assert_eq!(user["email"], "Full@Example.com");
        assert_eq!(user["admin"], true);
        assert_eq!(user["language"], "de");
        assert_eq!(user["has_password"], true);
        assert_eq!(user["role"]["uuid"], role.to_string());
        assert_eq!(user["role"]["name"], "support");
        assert_eq!(user["role"]["admin_permissions"], json!(["users.read"]));
        app
    })
    .await;
}

#[tokio::test]
async fn create_user_returns_409_when_username_or_email_is_taken_in_any_case() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        assert_eq!(
            create(&app, &key, user_body("taken")).await.status,
            StatusCode::OK
        );
        let mut same_name = user_body("TAKEN");
        same_name["email"] = json!("other@example.com");
        create(&app, &key, same_name)
            .await
            .assert_error(409, &["user with email/username already exists"]);
        let mut same_email = user_body("other");
        same_email["email"] = json!("Taken@EXAMPLE.com");
        create(&app, &key, same_email)
            .await
            .assert_error(409, &["user with email/username already exists"]);
        app
    })
    .await;
}

#[tokio::test]
async fn create_user_returns_409_when_external_id_is_taken() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let mut first = user_body("first");
        first["external_id"] = json!("ext-1");
        assert_eq!(create(&app, &key, first).await.status, StatusCode::OK);
        let mut second = user_body("second");
        second["external_id"] = json!("ext-1");
        create(&app, &key, second)
            .await
            .assert_error(409, &["user with external_id already exists"]);
        app
    })
    .await;
}

#[tokio::test]
async fn create_user_reports_every_failing_field() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let reply = create(&app, &key, json!({
            "username": "ab", "email": "not-an-email", "name_first": "", "name_last": "",
            "password": "short", "language": "xx", "external_id": "",
        }))
        .await;
        reply.assert_error(400, &[
            "username: length is lower than 3",
            "email: invalid email address",
            "name_first: length is lower than 1",
            "name_last: length is lower than 1",
            "password: length is lower than 8",
            "language: unsupported language, use one of en, ar, de, el, es, fr, it, nl, no, pl, pt, ro, ru, sk, sv, tr, uk, vi, zh",
            "external_id: length is lower than 1",
        ]);
        let reply = create(&app, &key, json!({
            "username": "has space", "email": "a@b.co", "name_first": "x".repeat(256), "name_last": "Ok",
        }))
        .await;
        reply.assert_error(400, &[
            "username: must contain only letters, digits and underscores",
            "name_first: length is greater than 255",
        ]);
        assert_eq!(app.core.count_users().await.unwrap(), 1, "only the admin exists");
        app
    })
    .await;
}

#[tokio::test]
async fn malformed_bodies_are_invalid_payloads() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.post("/api/admin/users", &key, "{not json")
            .await
            .assert_error(
                400,
                &["invalid payload: key must be a string at line 1 column 2"],
            );
        app.post("/api/admin/users", &key, r#"{"username": "abc"}"#)
            .await
            .assert_error(
                400,
                &["invalid payload: missing field `email` at line 1 column 19"],
            );
        app.post(
            "/api/admin/users",
            &key,
            r#"{"username": 5, "email": "a@b.co", "name_first": "Ab", "name_last": "Cd"}"#,
        )
        .await
        .assert_error(
            400,
            &["invalid payload: invalid type: integer `5`, expected a string at line 1 column 14"],
        );
        app.post("/api/admin/users", &key, "").await.assert_error(
            400,
            &["invalid payload: EOF while parsing a value at line 1 column 0"],
        );
        let reply = create(
            &app,
            &key,
            json!({
                "username": "abc", "email": "a@b.co", "name_first": "Ab", "name_last": "Cd",
                "role_uuid": "nope",
            }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(
            reply.errors()[0].starts_with("invalid payload: UUID parsing failed"),
            "{}",
            reply.body
        );
        app
    })
    .await;
}

#[tokio::test]
async fn create_user_with_an_unknown_role_is_an_invalid_relation() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let mut body = user_body("roleless");
        body["role_uuid"] = json!(uuid::Uuid::new_v4());
        create(&app, &key, body)
            .await
            .assert_error(400, &["invalid relation `role` provided"]);
        app
    })
    .await;
}

#[tokio::test]
async fn get_user_answers_the_user_or_the_contract_errors() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let created = create(&app, &key, user_body("findme")).await;
        let uuid = created.body["user"]["uuid"].as_str().unwrap().to_owned();
        let reply = app.get(&format!("/api/admin/users/{uuid}"), &key).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, created.body);
        app.get("/api/admin/users/not-a-uuid", &key)
            .await
            .assert_error(400, &["invalid user uuid"]);
        app.get(&format!("/api/admin/users/{}", uuid::Uuid::new_v4()), &key)
            .await
            .assert_error(404, &["user not found"]);
        app
    })
    .await;
}

#[tokio::test]
async fn get_user_by_external_id() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let mut body = user_body("external");
        body["external_id"] = json!("crm/77");
        let created = create(&app, &key, body).await;
        let reply = app.get("/api/admin/users/external/crm%2F77", &key).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body, created.body);
        app.get("/api/admin/users/external/missing", &key)
            .await
            .assert_error(404, &["user not found"]);
        app
    })
    .await;
}

#[tokio::test]
async fn list_users_pages_in_creation_order_with_the_total() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        for i in 0..12 {
            assert_eq!(
                create(&app, &key, user_body(&format!("user{i:02}")))
                    .await
                    .status,
                StatusCode::OK
            );
        }
        let reply = app.get("/api/admin/users", &key).await;
        assert_eq!(reply.status, StatusCode::OK);
        let page = &reply.body["users"];
        assert_eq!(page["total"], 13);
        assert_eq!(page["per_page"], 10);
        assert_eq!(page["page"], 1);
        let names: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "root", "user00", "user01", "user02", "user03", "user04", "user05", "user06",
                "user07", "user08"
            ]
        );

        let reply = app.get("/api/admin/users?page=2&per_page=10", &key).await;
        let names: Vec<&str> = reply.body["users"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["user09", "user10", "user11"]);

        let reply = app.get("/api/admin/users?page=9&per_page=5", &key).await;
        assert_eq!(
            reply.body,
            json!({ "users": { "total": 13, "per_page": 5, "page": 9, "data": [] } })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn list_users_rejects_out_of_range_paging() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        app.get("/api/admin/users?page=0", &key)
            .await
            .assert_error(400, &["page: lower than 1"]);
        app.get("/api/admin/users?per_page=101", &key)
            .await
            .assert_error(400, &["per_page: greater than 100"]);
        app.get("/api/admin/users?per_page=0", &key)
            .await
            .assert_error(400, &["per_page: lower than 1"]);
        app.get("/api/admin/users?per_page=1000000000000000000000", &key)
            .await
            .assert_error(400, &["per_page: must be a whole number"]);
        app.get("/api/admin/users?page=abc", &key)
            .await
            .assert_error(400, &["page: must be a whole number"]);
        let long = "x".repeat(129);
        app.get(&format!("/api/admin/users?search={long}"), &key)
            .await
            .assert_error(400, &["search: length is greater than 128"]);
        app
    })
    .await;
}

async fn search(app: &TestApp, key: &Auth, term: &str) -> Vec<String> {
    let encoded: String = common::encode(term);
    let reply = app
        .get(
            &format!("/api/admin/users?per_page=100&search={encoded}"),
            key,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let data = reply.body["users"]["data"].as_array().unwrap();
    assert_eq!(
        reply.body["users"]["total"].as_i64().unwrap() as usize,
        data.len()
    );
    data.iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_matches_a_substring_of_any_field_case_insensitively() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let people = [
            ("ada_l", "ada@analytical.org", "Ada", "Lovelace"),
            ("grace", "grace@navy.mil", "Grace", "Hopper"),
            ("pct_user", "percent@example.com", "Fifty%", "Under_Score"),
            ("alan", "alan@bletchley.uk", "Alan", "Turing"),
        ];
        for (username, email, first, last) in people {
            let reply = create(&app, &key, json!({ "username": username, "email": email, "name_first": first, "name_last": last })).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        assert_eq!(search(&app, &key, "LOVE").await, ["ada_l"]);
        assert_eq!(search(&app, &key, "navy").await, ["grace"]);
        assert_eq!(search(&app, &key, "hop").await, ["grace"]);
        assert_eq!(search(&app, &key, "al").await, ["ada_l", "alan"]);
        assert_eq!(search(&app, &key, "AL").await, ["ada_l", "alan"]);
        assert_eq!(search(&app, &key, "%").await, ["pct_user"]);
        assert_eq!(search(&app, &key, "y%").await, ["pct_user"]);
        assert_eq!(search(&app, &key, "_").await, ["ada_l", "pct_user"]);
        assert_eq!(search(&app, &key, "r_s").await, ["pct_user"]);
        assert!(search(&app, &key, "zzz").await.is_empty());
        assert!(search(&app, &key, "' OR 1=1 --").await.is_empty());
        assert!(search(&app, &key, "\"quoted\" NEAR(x)").await.is_empty());
        assert_eq!(search(&app, &key, "").await.len(), 5, "an empty search is no filter");
        app
    })
    .await;
}

#[tokio::test]
async fn update_user_returns_the_updated_user_and_leaves_absent_fields() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let role = app.role("helpers", &["users.read"]).await;
        let mut body = user_body("changeme");
        body["external_id"] = json!("keep-me");
        body["role_uuid"] = json!(role);
        let created = create(&app, &key, body).await;
        let uuid = created.body["user"]["uuid"].as_str().unwrap().to_owned();
        let path = format!("/api/admin/users/{uuid}");

        let reply = app
            .patch(
                &path,
                &key,
                r#"{"name_first": "Changed", "language": "fr"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut expected = created.body.clone();
        expected["user"]["name_first"] = json!("Changed");
        expected["user"]["language"] = json!("fr");
        assert_eq!(reply.body, expected);

        let reply = app
            .patch(&path, &key, r#"{"role_uuid": null, "external_id": null}"#)
            .await;
        assert_eq!(reply.body["user"]["role"], Value::Null);
        assert_eq!(reply.body["user"]["external_id"], Value::Null);

        let reply = app
            .patch(&path, &key, r#"{"password": "a brand new one"}"#)
            .await;
        assert_eq!(reply.body["user"]["has_password"], true);
        app
    })
    .await;
}

#[tokio::test]
async fn update_user_returns_409_for_a_taken_username_email_or_external_id() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let mut other = user_body("other");
        other["external_id"] = json!("ext-other");
        create(&app, &key, other).await;
        let mine = create(&app, &key, user_body("mine")).await;
        let path = format!(
            "/api/admin/users/{}",
            mine.body["user"]["uuid"].as_str().unwrap()
        );
        for body in [
            r#"{"username": "OTHER"}"#,
            r#"{"email": "other@example.com"}"#,
            r#"{"external_id": "ext-other"}"#,
        ] {
            app.patch(&path, &key, body).await.assert_error(
                409,
                &["user with email/username/external_id already exists"],
            );
        }
        let reply = app.patch(&path, &key, r#"{"username": "MINE"}"#).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "a user may change the case of their own name"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn update_user_validates_and_changes_nothing_on_error() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let created = create(&app, &key, user_body("stable")).await;
        let path = format!(
            "/api/admin/users/{}",
            created.body["user"]["uuid"].as_str().unwrap()
        );
        app.patch(&path, &key, r#"{"username": "x", "name_last": "Valid"}"#)
            .await
            .assert_error(400, &["username: length is lower than 3"]);
        app.patch(
            &path,
            &key,
            &format!(r#"{{"role_uuid": "{}"}}"#, uuid::Uuid::new_v4()),
        )
        .await
        .assert_error(400, &["invalid relation `role` provided"]);
        app.patch("/api/admin/users/zzz", &key, "{}")
            .await
            .assert_error(400, &["invalid user uuid"]);
        app.patch(
            &format!("/api/admin/users/{}", uuid::Uuid::new_v4()),
            &key,
            "{}",
        )
        .await
        .assert_error(404, &["user not found"]);
        assert_eq!(app.get(&path, &key).await.body, created.body);
        app
    })
    .await;
}

#[tokio::test]
async fn delete_user_answers_empty_object_and_refuses_server_owners() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let owner = create(&app, &key, user_body("owner")).await;
        let owner_uuid = owner.body["user"]["uuid"].as_str().unwrap().to_owned();
        let server = app
            .post(
                "/api/admin/servers",
                &key,
                &json!({"name": "mc-1", "owner_uuid": owner_uuid}).to_string(),
            )
            .await;
        assert_eq!(server.status, StatusCode::OK, "{}", server.body);
        let path = format!("/api/admin/users/{owner_uuid}");
        app.delete(&path, &key)
            .await
            .assert_error(400, &["user has servers, cannot delete"]);
        assert_eq!(app.get(&path, &key).await.status, StatusCode::OK);

        let server_path = format!(
            "/api/admin/servers/{}",
            server.body["server"]["uuid"].as_str().unwrap()
        );
        assert_eq!(app.delete(&server_path, &key).await.body, json!({}));
        let total = |reply: common::Reply| reply.body["users"]["total"].as_i64().unwrap();
        let before = total(app.get("/api/admin/users", &key).await);
        let reply = app.delete(&path, &key).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        assert_eq!(total(app.get("/api/admin/users", &key).await), before - 1);
        app.get(&path, &key)
            .await
            .assert_error(404, &["user not found"]);
        app.delete(&path, &key)
            .await
            .assert_error(404, &["user not found"]);
        app.delete("/api/admin/users/1", &key)
            .await
            .assert_error(400, &["invalid user uuid"]);
        app
    })
    .await;
}

#[tokio::test]
async fn twenty_concurrent_creates_of_one_username_give_one_success() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let app = app.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                let body = json!({ "username": "racer", "email": format!("racer{i}@example.com"), "name_first": "Ra", "name_last": "Cer" });
                app.post("/api/admin/users", &key, &body.to_string()).await
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            let reply = task.await.unwrap();
            if reply.status == StatusCode::CONFLICT {
                assert_eq!(reply.errors(), ["user with email/username already exists"]);
            }
            statuses.push(reply.status.as_u16());
        }
        statuses.sort();
        let mut expected = vec![409u16; 19];
        expected.insert(0, 200);
        assert_eq!(statuses, expected);
        std::sync::Arc::into_inner(app).expect("all requests finished")
    })
    .await;
}

#[tokio::test]
async fn the_unfiltered_total_counts_seeded_users_exactly() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let report = app.core.seed_users(1234).await.unwrap();
        assert_eq!(report.inserted, 1234);
        let reply = app.get("/api/admin/users?per_page=100&page=13", &key).await;
        assert_eq!(reply.body["users"]["total"], 1235);
        assert_eq!(reply.body["users"]["data"].as_array().unwrap().len(), 35);
        let reply = app
            .get("/api/admin/users?search=%40&per_page=1", &key)
            .await;
        assert_eq!(
            reply.body["users"]["total"], 1235,
            "every address holds an @"
        );
        // PostgreSQL's planner knows what the seed loaded without waiting for autovacuum.
        if let roster::store::Database::Postgres(pool) = app.core.database() {
            let known: f32 =
                sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'users'")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            assert_eq!(known, 1235.0);
        }
        app
    })
    .await;
}
