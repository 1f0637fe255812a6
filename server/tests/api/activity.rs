//! The activity log: every write records one row in its own transaction, with the actor, the
//! credential, the client address, the target and the fields before and after; no secret is
//! ever in a row; both read routes are guarded, filtered and paged; the purge keeps newer rows.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, PASSWORD, TestApp, on_each_backend};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

/// The newest rows of `event`, as a global admin's key reads them.
async fn rows_of(app: &TestApp, event: &str) -> Vec<Value> {
    let admin = app.admin_key().await;
    let reply = app
        .get(
            &format!("/api/admin/activity?event={event}&per_page=100"),
            &admin,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["activities"]["data"]
        .as_array()
        .expect("a page of rows")
        .clone()
}

/// The one row of `event`; fails when there is none or more than one.
async fn only_row(app: &TestApp, event: &str) -> Value {
    let rows = rows_of(app, event).await;
    assert_eq!(rows.len(), 1, "rows of {event}: {rows:#?}");
    rows[0].clone()
}

/// The newest row of `event` about the target labelled `label`.
async fn row_about(app: &TestApp, event: &str, label: &str) -> Value {
    rows_of(app, event)
        .await
        .into_iter()
        .find(|row| row["target"]["label"] == label)
        .unwrap_or_else(|| panic!("no {event} row about {label}"))
}

/// A row without what differs from run to run: its id and time.
fn stable(mut row: Value) -> Value {
    let fields = row.as_object_mut().expect("a row object");
    assert!(fields.remove("id").is_some_and(|id| id.is_i64()));
    // Calagopus' fields say again what Roster's say: checked here, left out of the comparisons.
    let is_api = fields.remove("is_api").expect("is_api");
    assert_eq!(is_api, fields["credential"]["type"] == "api_key");
    let user = fields.remove("user").expect("user");
    if !user.is_null() {
        assert_eq!(user["uuid"], fields["actor"]["uuid"]);
    }
    assert_eq!(fields.remove("impersonator"), Some(Value::Null));
    assert_eq!(fields.remove("impersonated_by"), Some(Value::Null));
    let created = fields.remove("created").expect("created");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created.as_str().unwrap_or_default()).is_ok(),
        "{created}"
    );
    row
}

/// Every row of the log, as text: what no secret may appear in.
async fn whole_log(app: &TestApp) -> String {
    let admin = app.admin_key().await;
    let mut text = String::new();
    for page in 1.. {
        let reply = app
            .get(
                &format!("/api/admin/activity?per_page=100&page={page}"),
                &admin,
            )
            .await;
        let data = reply.body["activities"]["data"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if data.is_empty() {
            return text;
        }
        text.push_str(&Value::Array(data).to_string());
    }
    text
}

fn session_token(auth: &Auth) -> &str {
    match auth {
        Auth::Session(token) => token,
        _ => panic!("a session"),
    }
}

async fn session_uuid(app: &TestApp, session: &Auth) -> String {
    let reply = app.get("/api/client/account/sessions", session).await;
    reply.body["sessions"]["data"]
        .as_array()
        .and_then(|sessions| sessions.iter().find(|s| s["current"] == true))
        .and_then(|s| s["uuid"].as_str())
        .expect("the current session")
        .to_owned()
}

#[tokio::test]
async fn an_update_records_each_changed_field_with_actor_key_and_address() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let body = r#"{"email": "robert@example.com", "name_first": "Robert", "language": "en"}"#;
        let reply = app
            .request_with(
                Method::PATCH,
                &format!("/api/admin/users/{}", bob.uuid),
                &admin,
                Some(body),
                &[("x-forwarded-for", "10.0.0.7")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

        let mut row = stable(only_row(&app, "user:update").await);
        let key_uuid = row["credential"]["uuid"].take();
        assert!(
            key_uuid
                .as_str()
                .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok())
        );
        assert_eq!(
            row,
            json!({
                "event": "user:update",
                "actor": { "uuid": root.uuid, "username": "root" },
                "credential": { "type": "api_key", "uuid": null, "name": "test" },
                "ip": "10.0.0.7",
                "target": { "type": "user", "uuid": bob.uuid, "label": "bob" },
                "data": {
                    "email": { "before": "bob@example.com", "after": "robert@example.com" },
                    "name_first": { "before": "Test", "after": "Robert" },
                },
            })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_password_shows_only_as_changed_and_no_secret_reaches_the_log() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let new_password = "a brand new secret passphrase";
        let body = json!({ "password": new_password }).to_string();
        let path = format!("/api/admin/users/{}", bob.uuid);
        assert_eq!(app.patch(&path, &admin, &body).await.status, StatusCode::OK);
        let row = only_row(&app, "user:update").await;
        assert_eq!(row["data"], json!({ "password": { "changed": true } }));

        let session = app.session("root").await;
        let created = app
            .post(
                "/api/client/account/api-keys",
                &session,
                r#"{"name": "billing", "admin_permissions": ["users.read"]}"#,
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let key = created.body["key"]
            .as_str()
            .expect("the new key")
            .to_owned();
        let row = row_about(&app, "api-key:create", "billing").await;
        assert_eq!(
            row["data"]["admin_permissions"],
            json!({ "after": ["users.read"] })
        );

        let log = whole_log(&app).await;
        for secret in [new_password, PASSWORD, &key, session_token(&session)] {
            assert!(!log.contains(secret), "the log holds a secret: {secret}");
        }
        assert!(!log.contains("$argon2"), "the log holds a password hash");
        app
    })
    .await;
}

#[tokio::test]
async fn creates_hold_every_field_after_and_deletes_every_field_before() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let body = r#"{"username": "carol", "email": "carol@example.com", "name_first": "Carol",
            "name_last": "Shaw", "password": "carols first password", "external_id": "c-1"}"#;
        let reply = app.post("/api/admin/users", &admin, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let carol = reply.body["user"]["uuid"]
            .as_str()
            .expect("uuid")
            .to_owned();
        let expected_fields = json!({
            "username": "carol", "email": "carol@example.com", "name_first": "Carol",
            "name_last": "Shaw", "external_id": "c-1", "admin": false, "language": "en",
            "role": null, "suspended": false, "frozen": false, "totp_enabled": false,
            "has_password": true, "toast_position": "top_right", "start_on_grouped_servers": true,
        });
        let side = |side: &str| {
            Value::Object(
                expected_fields
                    .as_object()
                    .expect("fields")
                    .iter()
                    .map(|(field, value)| (field.clone(), json!({ side: value })))
                    .collect(),
            )
        };
        let row = row_about(&app, "user:create", "carol").await;
        assert_eq!(row["data"], side("after"));
        assert_eq!(
            row["target"],
            json!({ "type": "user", "uuid": carol, "label": "carol" })
        );

        let path = format!("/api/admin/users/{carol}");
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        let row = only_row(&app, "user:delete").await;
        assert_eq!(row["data"], side("before"));
        // The row outlives its target: the label is the name carol had.
        assert_eq!(row["target"]["label"], "carol");
        app
    })
    .await;
}

#[tokio::test]
async fn roles_and_servers_record_create_update_and_delete() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let reply = app
            .post(
                "/api/admin/roles",
                &admin,
                r#"{"name": "support", "admin_permissions": ["users.read"]}"#,
            )
            .await;
        let role = reply.body["role"]["uuid"]
            .as_str()
            .expect("role")
            .to_owned();
        let path = format!("/api/admin/roles/{role}");
        let body = r#"{"name": "helpdesk", "admin_permissions": ["users.read", "users.update"]}"#;
        assert_eq!(app.patch(&path, &admin, body).await.status, StatusCode::OK);
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        let created = only_row(&app, "role:create").await;
        assert_eq!(created["data"]["name"], json!({ "after": "support" }));
        let updated = only_row(&app, "role:update").await;
        assert_eq!(
            updated["data"],
            json!({
                "name": { "before": "support", "after": "helpdesk" },
                "admin_permissions": {
                    "before": ["users.read"],
                    "after": ["users.read", "users.update"],
                },
            })
        );
        assert_eq!(updated["target"]["label"], "helpdesk");
        let deleted = only_row(&app, "role:delete").await;
        assert_eq!(deleted["data"]["name"], json!({ "before": "helpdesk" }));

        let owner = app.user("owner", false, None).await;
        let heir = app.user("heir", false, None).await;
        let body = json!({ "name": "alpha", "owner_uuid": owner.uuid }).to_string();
        let reply = app.post("/api/admin/servers", &admin, &body).await;
        let server = reply.body["server"]["uuid"]
            .as_str()
            .expect("server")
            .to_owned();
        let path = format!("/api/admin/servers/{server}");
        let body = json!({ "owner_uuid": heir.uuid }).to_string();
        assert_eq!(app.patch(&path, &admin, &body).await.status, StatusCode::OK);
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        assert_eq!(
            only_row(&app, "server:create").await["data"],
            json!({
                "name": { "after": "alpha" },
                "owner": { "after": { "uuid": owner.uuid, "username": "owner" } },
            })
        );
        assert_eq!(
            only_row(&app, "server:update").await["data"],
            json!({ "owner": {
                "before": { "uuid": owner.uuid, "username": "owner" },
                "after": { "uuid": heir.uuid, "username": "heir" },
            } })
        );
        assert_eq!(
            only_row(&app, "server:delete").await["target"],
            json!({ "type": "server", "uuid": server, "label": "alpha" })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn sign_in_success_failure_and_sign_out_are_recorded_and_last_login_set() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let path = format!("/api/admin/users/{}", bob.uuid);
        assert_eq!(app.get(&path, &admin).await.body["user"]["last_login"], Value::Null);
        let never = app.get("/api/admin/users?signed_in=false&search=bob", &admin).await;
        assert_eq!(never.body["users"]["total"], 1);

        let wrong = json!({ "user": "bob", "password": "not the password" }).to_string();
        let reply = app
            .request_with(
                Method::POST,
                "/api/auth/login",
                &Auth::None,
                Some(&wrong),
                &[("x-forwarded-for", "203.0.113.9")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let nobody = json!({ "user": "nobody-at-all", "password": "whatever it is" }).to_string();
        app.post("/api/auth/login", &Auth::None, &nobody).await;
        let failed = rows_of(&app, "auth:sign-in-failed").await;
        assert_eq!(failed.len(), 2, "{failed:#?}");
        assert_eq!(stable(failed[0].clone()), json!({
            "event": "auth:sign-in-failed", "actor": null, "credential": null, "ip": "127.0.0.1",
            "target": null, "data": {},
        }));
        assert_eq!(stable(failed[1].clone()), json!({
            "event": "auth:sign-in-failed", "actor": null, "credential": null,
            "ip": "203.0.113.9",
            "target": { "type": "user", "uuid": bob.uuid, "label": "bob" }, "data": {},
        }));
        assert!(!whole_log(&app).await.contains("nobody-at-all"), "a tried name is kept");

        let session = app.session("bob").await;
        let current = session_uuid(&app, &session).await;
        let signed_in = stable(only_row(&app, "auth:success").await);
        assert_eq!(signed_in["actor"], json!({ "uuid": bob.uuid, "username": "bob" }));
        assert_eq!(
            signed_in["credential"],
            json!({ "type": "session", "uuid": current, "name": null })
        );
        let user = app.get(&path, &admin).await.body["user"].clone();
        let last_login = chrono::DateTime::parse_from_rfc3339(
            user["last_login"].as_str().expect("last_login is set"),
        )
        .expect("RFC 3339");
        assert!(chrono::Utc::now().signed_duration_since(last_login).num_seconds() < 60);
        let never = app.get("/api/admin/users?signed_in=false&search=bob", &admin).await;
        assert_eq!(never.body["users"]["total"], 0);
        let ever = app.get("/api/admin/users?signed_in=true&search=bob", &admin).await;
        assert_eq!(ever.body["users"]["total"], 1);

        app.post("/api/auth/logout", &session, "{}").await;
        let out = only_row(&app, "auth:sign-out").await;
        assert_eq!(out["actor"]["username"], "bob");
        assert_eq!(out["credential"]["uuid"], current.as_str());
        app
    })
    .await;
}

#[tokio::test]
async fn sessions_and_keys_ended_by_their_owner_are_recorded() {
    on_each_backend(|app| async move {
        app.admin_principal().await;
        let phone = app.session_from("root", PASSWORD, "Phone Browser").await;
        let laptop = app.session("root").await;
        let phone_uuid = session_uuid(&app, &phone).await;
        let reply = app
            .delete(
                &format!("/api/client/account/sessions/{phone_uuid}"),
                &laptop,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let ended = only_row(&app, "session:delete").await;
        assert_eq!(
            ended["target"],
            json!({ "type": "session", "uuid": phone_uuid, "label": "Phone Browser" })
        );
        app.session("root").await;
        let reply = app.delete("/api/client/account/sessions", &laptop).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            only_row(&app, "session:delete-all").await["actor"]["username"],
            "root"
        );

        let created = app
            .post("/api/client/account/api-keys", &laptop, r#"{"name": "ci"}"#)
            .await;
        let key = created.body["api_key"]["uuid"]
            .as_str()
            .expect("key")
            .to_owned();
        let reply = app
            .delete(&format!("/api/client/account/api-keys/{key}"), &laptop)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let revoked = only_row(&app, "api-key:delete").await;
        assert_eq!(
            revoked["target"],
            json!({ "type": "api_key", "uuid": key, "label": "ci" })
        );
        assert_eq!(revoked["data"]["name"], json!({ "before": "ci" }));
        app
    })
    .await;
}

#[tokio::test]
async fn the_operator_is_recorded_for_what_the_command_line_does() {
    on_each_backend(|app| async move {
        app.user("dave", false, None).await;
        let rows = rows_of(&app, "user:create").await;
        let dave = rows
            .iter()
            .find(|row| row["target"]["label"] == "dave")
            .expect("dave's creation");
        assert_eq!(dave["actor"], Value::Null);
        assert_eq!(
            dave["credential"],
            json!({ "type": "operator", "uuid": null, "name": null })
        );
        app
    })
    .await;
}

fn code_at(secret: &str, time: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32 secret");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, "test".to_owned()).generate(time)
}

#[tokio::test]
async fn two_factor_and_password_links_are_recorded() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let erin = app.user("erin", false, None).await;
        let session = app.session("erin").await;
        let setup = app
            .post("/api/client/account/two-factor/setup", &session, "")
            .await;
        let secret = setup.body["secret"].as_str().expect("secret").to_owned();
        let now = chrono::Utc::now().timestamp() as u64;
        let body = json!({ "code": code_at(&secret, now), "password": PASSWORD }).to_string();
        let reply = app
            .post("/api/client/account/two-factor", &session, &body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let enabled = only_row(&app, "account:two-factor.enable").await;
        assert_eq!(
            enabled["data"],
            json!({ "totp_enabled": { "before": false, "after": true } })
        );
        assert_eq!(enabled["actor"]["username"], "erin");

        let login = json!({ "user": "erin", "password": PASSWORD }).to_string();
        let challenge = app.post("/api/auth/login", &Auth::None, &login).await;
        let token = challenge.body["token"]
            .as_str()
            .expect("challenge")
            .to_owned();
        let body = json!({ "token": token, "code": "000000" }).to_string();
        let reply = app
            .post("/api/auth/login/checkpoint", &Auth::None, &body)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        let failed = only_row(&app, "auth:two-factor-failed").await;
        assert_eq!(failed["target"]["label"], "erin");
        assert_eq!(failed["actor"], Value::Null);

        let path = format!("/api/admin/users/{}/two-factor", erin.uuid);
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        let reset = only_row(&app, "user:two-factor.disable").await;
        assert_eq!(reset["actor"]["username"], "root");
        assert_eq!(
            reset["data"],
            json!({ "totp_enabled": { "before": true, "after": false } })
        );

        let path = format!("/api/admin/users/{}/email/reset-password", erin.uuid);
        assert_eq!(
            app.post(&path, &admin, "{}").await.status,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            only_row(&app, "user:email.password-reset").await["target"]["label"],
            "erin"
        );
        let forgot = json!({ "email": "erin@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &forgot)
            .await;
        let unknown = json!({ "email": "nobody@example.com" }).to_string();
        app.post("/api/auth/password/forgot", &Auth::None, &unknown)
            .await;
        app.core.settle().await;
        let asked = only_row(&app, "email:password-reset").await;
        assert_eq!(asked["target"]["label"], "erin");
        assert_eq!(asked["actor"], Value::Null);

        let outbox = app.get("/api/admin/mail?per_page=1", &admin).await;
        let text = outbox.body["mail"]["data"][0]["body_text"]
            .as_str()
            .expect("a mail");
        let token = text
            .split_once("token=")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .expect("a reset link")
            .to_owned();
        let body = json!({ "token": token, "password": "erins new passphrase" }).to_string();
        let reply = app
            .post("/api/auth/password/reset", &Auth::None, &body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let set = only_row(&app, "auth:reset-password").await;
        assert_eq!(
            set["actor"],
            json!({ "uuid": erin.uuid, "username": "erin" })
        );
        assert_eq!(set["data"], json!({ "password": { "changed": true } }));
        assert!(
            !whole_log(&app).await.contains(&token),
            "the log holds a reset token"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn turning_two_factor_off_oneself_is_recorded_without_codes() {
    on_each_backend(|app| async move {
        app.user("frank", false, None).await;
        let session = app.session("frank").await;
        let setup = app
            .post("/api/client/account/two-factor/setup", &session, "")
            .await;
        let secret = setup.body["secret"].as_str().expect("secret").to_owned();
        let now = chrono::Utc::now().timestamp() as u64;
        let body = json!({ "code": code_at(&secret, now), "password": PASSWORD }).to_string();
        let enabled = app
            .post("/api/client/account/two-factor", &session, &body)
            .await;
        let codes: Vec<String> = enabled.body["recovery_codes"]
            .as_array()
            .expect("recovery codes")
            .iter()
            .map(|c| c.as_str().unwrap_or_default().to_owned())
            .collect();
        let body = json!({ "code": codes[0], "password": PASSWORD }).to_string();
        let reply = app
            .request(
                Method::DELETE,
                "/api/client/account/two-factor",
                &session,
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let off = stable(only_row(&app, "account:two-factor.disable").await);
        assert_eq!(off["actor"]["username"], "frank");
        assert_eq!(off["target"]["label"], "frank");
        assert_eq!(off["credential"]["type"], "session");
        assert_eq!(
            off["data"],
            json!({ "totp_enabled": { "before": true, "after": false } })
        );
        let log = whole_log(&app).await;
        for code in &codes {
            assert!(
                !log.contains(code.as_str()),
                "the log holds a recovery code"
            );
        }
        app
    })
    .await;
}

#[tokio::test]
async fn suspension_shows_as_a_change_of_suspended() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let path = format!("/api/admin/users/{}", bob.uuid);
        let reply = app.patch(&path, &admin, r#"{"suspended": true}"#).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            only_row(&app, "user:update").await["data"],
            json!({ "suspended": { "before": false, "after": true } })
        );
        app
    })
    .await;
}

#[tokio::test]
async fn rows_outlive_their_actor() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let temp = app.user("temp_admin", true, None).await;
        let temp_key = Auth::Key(app.key_for(&temp, &all_permissions()).await);
        let body = r#"{"name": "made by temp", "admin_permissions": []}"#;
        assert_eq!(
            app.post("/api/admin/roles", &temp_key, body).await.status,
            StatusCode::OK
        );
        let path = format!("/api/admin/users/{}", temp.uuid);
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        let row = only_row(&app, "role:create").await;
        assert_eq!(
            row["actor"],
            json!({ "uuid": temp.uuid, "username": "temp_admin" })
        );
        let by_temp = format!("/api/admin/activity?actor={}", temp.uuid);
        assert_eq!(
            app.get(&by_temp, &admin).await.body["activities"]["total"],
            1
        );
        let gone = format!("/api/admin/users/{}/activity", temp.uuid);
        app.get(&gone, &admin)
            .await
            .assert_error(404, &["user not found"]);
        app
    })
    .await;
}

fn all_permissions() -> Vec<&'static str> {
    roster::Permission::ALL.iter().map(|p| p.as_str()).collect()
}

#[tokio::test]
async fn a_refused_write_leaves_no_row() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        app.user("taken", false, None).await;
        let path = format!("/api/admin/users/{}", bob.uuid);
        let reply = app
            .patch(&path, &admin, r#"{"email": "taken@example.com"}"#)
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        let narrow = Auth::Key(
            app.key_for(&app.admin_principal().await.user, &["users.read"])
                .await,
        );
        let reply = app
            .patch(&path, &narrow, r#"{"name_first": "Bobby"}"#)
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let owner = app.user("owner", false, None).await;
        let body = json!({ "name": "alpha", "owner_uuid": owner.uuid }).to_string();
        app.post("/api/admin/servers", &admin, &body).await;
        let reply = app
            .delete(&format!("/api/admin/users/{}", owner.uuid), &admin)
            .await;
        reply.assert_error(400, &["user has servers, cannot delete"]);
        assert!(rows_of(&app, "user:update").await.is_empty());
        assert!(rows_of(&app, "user:delete").await.is_empty());
        app
    })
    .await;
}

#[tokio::test]
async fn a_change_whose_row_cannot_be_written_does_not_happen() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let refuse = match app.backend {
            "sqlite" => vec![
                "CREATE TRIGGER refuse_activity BEFORE INSERT ON activity \
                 BEGIN SELECT RAISE(ABORT, 'activity refused'); END",
            ],
            _ => vec![
                "CREATE FUNCTION refuse_activity() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'activity refused'; END $$",
                "CREATE TRIGGER refuse_activity BEFORE INSERT ON activity \
                 FOR EACH ROW EXECUTE FUNCTION refuse_activity()",
            ],
        };
        for statement in refuse {
            match app.core.database() {
                roster::store::Database::Sqlite(pool) => {
                    sqlx::query(statement).execute(pool).await.expect("trigger");
                }
                roster::store::Database::Postgres(pool) => {
                    sqlx::query(statement).execute(pool).await.expect("trigger");
                }
            }
        }
        let path = format!("/api/admin/users/{}", bob.uuid);
        let reply = app
            .patch(&path, &admin, r#"{"email": "robert@example.com"}"#)
            .await;
        reply.assert_error(500, &["internal server error"]);
        let reply = app.delete(&path, &admin).await;
        reply.assert_error(500, &["internal server error"]);
        let user = app.get(&path, &admin).await;
        assert_eq!(user.status, StatusCode::OK, "the user is still there");
        assert_eq!(user.body["user"]["email"], "bob@example.com");
        app
    })
    .await;
}

#[tokio::test]
async fn both_read_routes_need_their_permission_and_a_key_narrows_them() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let bob = app.user("bob", false, None).await;
        let user_route = format!("/api/admin/users/{}/activity", bob.uuid);
        app.get("/api/admin/activity", &Auth::None)
            .await
            .assert_error(401, &["missing authorization"]);
        let plain = app.session("bob").await;
        app.get("/api/admin/activity", &plain)
            .await
            .assert_error(401, &["unauthorized"]);
        app.get(&user_route, &plain)
            .await
            .assert_error(401, &["unauthorized"]);

        let users_only = Auth::Key(app.key_for(&root, &["users.read"]).await);
        app.get("/api/admin/activity", &users_only)
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: activity.read"],
            );
        app.get(&user_route, &users_only).await.assert_error(
            403,
            &["you do not have permission to perform this action: users.activity"],
        );
        let activity_only = Auth::Key(app.key_for(&root, &["users.activity"]).await);
        app.get(&user_route, &activity_only).await.assert_error(
            403,
            &["you do not have permission to perform this action: users.read"],
        );
        let both = Auth::Key(app.key_for(&root, &["users.read", "users.activity"]).await);
        assert_eq!(app.get(&user_route, &both).await.status, StatusCode::OK);
        let missing = format!("/api/admin/users/{}/activity", uuid::Uuid::new_v4());
        app.get(&missing, &both)
            .await
            .assert_error(404, &["user not found"]);

        let auditors = app.role("auditors", &["activity.read"]).await;
        app.user("audrey", false, Some(auditors)).await;
        let audrey = app.session("audrey").await;
        let reply = app.get("/api/admin/activity", &audrey).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.get(&user_route, &audrey).await.assert_error(
            403,
            &["you do not have permission to perform this action: users.read"],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn listings_are_newest_first_filtered_and_paged() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        let carol = app.user("carol", false, None).await;
        for (user, name) in [(&bob, "B1"), (&carol, "C1"), (&bob, "B2"), (&bob, "B3")] {
            let path = format!("/api/admin/users/{}", user.uuid);
            let body = json!({ "name_first": name }).to_string();
            assert_eq!(app.patch(&path, &admin, &body).await.status, StatusCode::OK);
        }
        let after = |page: &Value| -> Vec<String> {
            page["data"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|row| {
                    row["data"]["name_first"]["after"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        };
        let target = format!(
            "/api/admin/activity?event=user:update&target={}&per_page=2",
            bob.uuid
        );
        let first = app.get(&target, &admin).await.body["activities"].clone();
        assert_eq!(first["total"], 3);
        assert_eq!(first["per_page"], 2);
        assert_eq!(after(&first), vec!["B3", "B2"]);
        let second = app.get(&format!("{target}&page=2"), &admin).await.body["activities"].clone();
        assert_eq!(after(&second), vec!["B1"]);
        assert_eq!(second["page"], 2);

        let all = app
            .get("/api/admin/activity?per_page=100", &admin)
            .await
            .body["activities"]
            .clone();
        let ids: Vec<i64> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        assert_eq!(all["total"], ids.len());

        let carols = format!("/api/admin/users/{}/activity", carol.uuid);
        let page = app.get(&carols, &admin).await.body["activities"].clone();
        let events: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["event"].as_str().unwrap())
            .collect();
        assert_eq!(events, vec!["user:update", "user:create"]);

        let future = "/api/admin/activity?since=2999-01-01T00:00:00Z";
        assert_eq!(app.get(future, &admin).await.body["activities"]["total"], 0);
        let past = "/api/admin/activity?until=2000-01-01T00:00:00Z";
        assert_eq!(app.get(past, &admin).await.body["activities"]["total"], 0);
        let root = app.admin_principal().await.user;
        let by_root = format!("/api/admin/activity?actor={}&event=user:update", root.uuid);
        assert_eq!(
            app.get(&by_root, &admin).await.body["activities"]["total"],
            4
        );

        app.get(
            "/api/admin/activity?event=user:fly&since=soon&actor=x",
            &admin,
        )
        .await
        .assert_error(
            400,
            &[
                "event: unknown event `user:fly`",
                "actor: must be a uuid",
                "since: must be an RFC 3339 time such as 2026-11-28T09:00:00Z",
            ],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_purge_deletes_older_rows_and_keeps_newer_ones() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        app.user("bob", false, None).await;
        let before = app.get("/api/admin/activity", &admin).await.body["activities"]["total"]
            .as_i64()
            .expect("total");
        assert!(before > 0);
        let cutoff = chrono::Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.user("carol", false, None).await;
        let purged = app.core.purge_activity(cutoff).await.expect("purge");
        assert_eq!(purged as i64, before);
        let page = app.get("/api/admin/activity", &admin).await.body["activities"].clone();
        assert_eq!(page["total"], 1, "{page:#}");
        assert_eq!(page["data"][0]["target"]["label"], "carol");
        assert_eq!(app.core.purge_activity(cutoff).await.expect("purge"), 0);
        app
    })
    .await;
}
