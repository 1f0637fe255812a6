//! Security keys and passkeys over REST, on every backend: the registration's first step and
//! its options, the rules around it (in person only, names, unfinished keys), answers that do
//! not pass, challenges used once, the second step of a sign-in, and an admin's reset removing
//! a user's keys. The ceremonies themselves run in Chromium with a virtual authenticator
//! (`end2end/tests/passkeys.spec.ts`).

use crate::common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp, TestOptions, enrol, on_each_backend, on_each_backend_with};
use roster::store::Database;
use serde_json::{Value, json};

const KEYS: &str = "/api/client/account/security-keys";

/// Roster at a domain name, as WebAuthn needs: a relying party's id is never an IP address.
fn at_localhost() -> TestOptions {
    TestOptions {
        public_url: Some("http://localhost:3000".to_owned()),
        ..TestOptions::default()
    }
}

/// A registered key, as a finished ceremony leaves it, written straight into the database: the
/// tests here judge what Roster does with keys, not the browser's part.
async fn registered_key(app: &TestApp, user: uuid::Uuid, name: &str) {
    let sql = "INSERT INTO user_security_keys (uuid, user_uuid, name, credential_id, passkey, \
               created) VALUES ($1, $2, $3, $4, $5, $6)";
    let uuid = uuid::Uuid::new_v4();
    let credential = uuid::Uuid::new_v4().into_bytes().to_vec();
    let now = chrono::Utc::now();
    match app.core.database() {
        Database::Sqlite(pool) => sqlx::query(sql)
            .bind(uuid)
            .bind(user)
            .bind(name)
            .bind(credential)
            .bind("{}")
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()),
        Database::Postgres(pool) => sqlx::query(sql)
            .bind(uuid)
            .bind(user)
            .bind(name)
            .bind(credential)
            .bind("{}")
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .expect("a key is written");
}

#[tokio::test]
async fn registration_begins_in_person_with_the_options_a_browser_takes() {
    on_each_backend_with(at_localhost(), |app| async move {
        let user = app.user("keyholder", false, None).await;
        let session = app.session("keyholder").await;
        let key = Auth::Key(app.key_for(&user, &[]).await);
        let body = json!({ "name": "Laptop", "allow_usernameless_login": true }).to_string();
        app.post(KEYS, &key, &body).await.assert_error(
            403,
            &["this action needs a signed-in session, not an api key"],
        );
        app.post(KEYS, &session, r#"{"name": "ab"}"#)
            .await
            .assert_error(400, &["name: length is lower than 3"]);

        let reply = app.post(KEYS, &session, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let key_uuid = reply.body["security_key"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(reply.body["security_key"]["name"], "Laptop");
        assert_eq!(reply.body["security_key"]["credential_id"], "");
        let options = &reply.body["options"]["publicKey"];
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(options["user"]["name"], "keyholder");
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(
            options["authenticatorSelection"]["userVerification"],
            "required"
        );
        assert!(
            options["challenge"].as_str().is_some_and(|c| c.len() >= 32),
            "{options}"
        );

        // Unfinished keys are not listed, nor renamed; the same name begins again.
        let listed = app.get(KEYS, &session).await.body;
        assert_eq!(listed["security_keys"]["total"], 0);
        app.patch(
            &format!("{KEYS}/{key_uuid}"),
            &session,
            r#"{"name": "Desk"}"#,
        )
        .await
        .assert_error(400, &["security key not setup yet"]);
        let again = app.post(KEYS, &session, &body).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let key_uuid = again.body["security_key"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();

        // An answer that is no authenticator's is refused, and the key stays unfinished.
        let challenge = format!("{KEYS}/{key_uuid}/challenge");
        let forged =
            json!({ "public_key_credential": { "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": { "attestationObject": "AAAA", "clientDataJSON": "AAAA" } } })
            .to_string();
        app.post(&challenge, &session, &forged)
            .await
            .assert_error(400, &["failed to finish security key registration"]);
        app.post(
            &format!("{KEYS}/{}/challenge", uuid::Uuid::new_v4()),
            &session,
            &forged,
        )
        .await
        .assert_error(404, &["security key not found"]);
        // Someone else's key is nobody's to finish.
        app.user("neighbour", false, None).await;
        let neighbour = app.session("neighbour").await;
        app.post(&challenge, &neighbour, &forged)
            .await
            .assert_error(404, &["security key not found"]);
        app.delete(&format!("{KEYS}/{key_uuid}"), &neighbour)
            .await
            .assert_error(404, &["security key not found"]);

        let removed = app.delete(&format!("{KEYS}/{key_uuid}"), &session).await;
        assert_eq!((removed.status, removed.body), (StatusCode::OK, json!({})));
        app.delete(&format!("{KEYS}/{key_uuid}"), &session)
            .await
            .assert_error(404, &["security key not found"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_registered_key_is_listed_renamed_and_removed_with_a_record() {
    on_each_backend_with(at_localhost(), |app| async move {
        let user = app.user("renamer", false, None).await;
        let session = app.session("renamer").await;
        registered_key(&app, user.uuid, "Phone").await;
        registered_key(&app, user.uuid, "Desk").await;
        let listed = app.get(KEYS, &session).await.body;
        let keys = &listed["security_keys"];
        assert_eq!(keys["total"], 2);
        let phone = keys["data"][0].clone();
        assert_eq!(phone["name"], "Phone");
        assert!(
            phone["credential_id"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        );
        assert_eq!(phone["last_used"], Value::Null);
        let path = format!("{KEYS}/{}", phone["uuid"].as_str().unwrap());
        app.patch(&path, &session, r#"{"name": "desk"}"#)
            .await
            .assert_error(409, &["security key with name already exists"]);
        let renamed = app.patch(&path, &session, r#"{"name": "Old phone"}"#).await;
        assert_eq!((renamed.status, renamed.body), (StatusCode::OK, json!({})));
        let searched = app.get(&format!("{KEYS}?search=old"), &session).await.body;
        assert_eq!(searched["security_keys"]["data"][0]["name"], "Old phone");
        assert_eq!(app.delete(&path, &session).await.status, StatusCode::OK);

        let admin = app.admin_key().await;
        let rows = app
            .get(&format!("/api/admin/users/{}/activity", user.uuid), &admin)
            .await
            .body;
        let events: Vec<&str> = rows["activities"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["event"].as_str().unwrap())
            .collect();
        assert!(
            events.starts_with(&["security-key:delete", "user:security-key.update"]),
            "{events:?}"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_passkey_challenge_is_answered_once_and_a_forged_answer_opens_nothing() {
    on_each_backend_with(at_localhost(), |app| async move {
        let challenge = app
            .get("/api/auth/login/security-key/discoverable", &Auth::None)
            .await;
        assert_eq!(challenge.status, StatusCode::OK, "{}", challenge.body);
        let uuid = challenge.body["uuid"].as_str().unwrap().to_owned();
        let options = &challenge.body["options"]["publicKey"];
        assert_eq!(options["rpId"], "localhost");
        assert_eq!(options["userVerification"], "required");
        let forged = json!({ "uuid": uuid, "public_key_credential": { "id": "AAAA", "rawId": "AAAA",
            "type": "public-key", "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA",
            "signature": "AAAA", "userHandle": "AAAA" } } })
        .to_string();
        let path = "/api/auth/login/security-key/discoverable";
        let reply = app.post(path, &Auth::None, &forged).await;
        reply.assert_error(400, &["failed to finish security key authentication"]);
        assert!(reply.headers.get("set-cookie").is_none());
        app.post(path, &Auth::None, &forged)
            .await
            .assert_error(400, &["invalid or expired challenge"]);
        // A name with no keys tells nothing: its challenge looks like anyone's.
        let named = app
            .get("/api/auth/login/security-key?user=nobody", &Auth::None)
            .await;
        assert_eq!(named.status, StatusCode::OK);
        assert_eq!(named.body["options"]["publicKey"]["allowCredentials"], json!([]));
        app
    })
    .await;
}

#[tokio::test]
async fn the_code_step_needs_its_token_and_an_admin_reset_removes_keys() {
    on_each_backend_with(at_localhost(), |app| async move {
        let member = app.user("stepper", false, None).await;
        let session = app.session("stepper").await;
        enrol(&app, &session).await;
        let start = "/api/auth/login/checkpoint/security-key/challenge";
        app.post(start, &Auth::None, r#"{"token": "made-up"}"#)
            .await
            .assert_error(401, &["invalid two-factor code"]);
        let body = json!({ "user": "stepper", "password": PASSWORD }).to_string();
        let token = app.post("/api/auth/login", &Auth::None, &body).await.body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let with_token = json!({ "token": token }).to_string();
        app.post(start, &Auth::None, &with_token)
            .await
            .assert_error(400, &["security key not setup yet"]);
        // (The code step's ceremony with a key runs in Chromium: `end2end/tests/passkeys.spec.ts`.)
        registered_key(&app, member.uuid, "Token").await;
        let admin = app.admin_key().await;
        let path = format!("/api/admin/users/{}/two-factor", member.uuid);
        assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
        let fresh = app.session("stepper").await;
        assert_eq!(
            app.get(KEYS, &fresh).await.body["security_keys"]["total"],
            0
        );
        let rows = app
            .get(
                &format!(
                    "/api/admin/activity?event=user:two-factor.disable&target={}",
                    member.uuid
                ),
                &admin,
            )
            .await
            .body;
        assert_eq!(
            rows["activities"]["data"][0]["data"]["security_keys_removed"],
            1
        );
        app
    })
    .await;
}

#[tokio::test]
async fn at_an_ip_address_passkeys_are_off_and_say_so() {
    on_each_backend(|app| async move {
        app.user("numeric", false, None).await;
        let session = app.session("numeric").await;
        app.post(KEYS, &session, r#"{"name": "Laptop"}"#)
            .await
            .assert_error(400, &["security keys are disabled"]);
        app.get("/api/auth/login/security-key/discoverable", &Auth::None)
            .await
            .assert_error(400, &["security keys are disabled"]);
        app
    })
    .await;
}
