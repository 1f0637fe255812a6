//! Acting as another user, on every backend: Calagopus' `Calagopus-User` header with its rules
//! and words, Roster's guard on the acted user's credentials, the impersonator on every activity
//! row, and the console's "Sign in as" session that ends by itself.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp, on_each_backend};
use roster::principal::Credential;
use roster::store::Database;
use serde_json::{Value, json};

async fn acting(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &Auth,
    body: Option<&str>,
    user: &str,
) -> common::Reply {
    app.request_with(method, path, auth, body, &[("Calagopus-User", user)])
        .await
}

async fn newest(app: &TestApp, event: &str) -> Value {
    let path = format!("/api/admin/activity?event={event}");
    app.get(&path, &app.admin_key().await).await.body["activities"]["data"][0].clone()
}

#[tokio::test]
async fn a_holder_of_users_impersonate_acts_as_the_user_and_the_log_names_them() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await;
        let helpers = app.role("helpers", &["users.read", "users.update"]).await;
        let bob = app.user("bob", false, Some(helpers)).await;
        let carol = app.user("carol", false, None).await;
        let key = Auth::Key(
            app.key_for(
                &root.user,
                &["users.impersonate", "users.read", "users.update"],
            )
            .await,
        );
        let bob_id = bob.uuid.to_string();

        // The account is bob's: the request is his in every respect.
        let account = acting(
            &app,
            Method::GET,
            "/api/client/account",
            &key,
            None,
            &bob_id,
        )
        .await;
        assert_eq!(account.status, StatusCode::OK, "{}", account.body);
        assert_eq!(account.body["user"]["username"], "bob");

        // A change made so is bob's, with root as its impersonator.
        let path = format!("/api/admin/users/{}", carol.uuid);
        let reply = acting(
            &app,
            Method::PATCH,
            &path,
            &key,
            Some(r#"{"name_first": "Caz"}"#),
            &bob_id,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let row = newest(&app, "user:update").await;
        assert_eq!(row["user"]["uuid"], json!(bob.uuid));
        assert_eq!(row["user"]["username"], "bob");
        assert_eq!(row["impersonator"]["uuid"], json!(root.user.uuid));
        assert_eq!(row["impersonator"]["username"], "root");
        assert_eq!(
            row["impersonated_by"],
            json!({ "uuid": root.user.uuid, "username": "root" })
        );
        assert_eq!(row["is_api"], true);
        assert_eq!(
            row["data"],
            json!({ "name_first": { "before": "Test", "after": "Caz" } })
        );

        // What root did as bob is in root's own activity too.
        let roots = format!(
            "/api/admin/users/{}/activity?event=user:update",
            root.user.uuid
        );
        let page = app.get(&roots, &app.admin_key().await).await.body["activities"].clone();
        let ids: Vec<&Value> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["id"])
            .collect();
        assert!(ids.contains(&&row["id"]), "{page}");

        // The key still narrows: bob may delete nothing, and neither may the key.
        let deleted = acting(&app, Method::DELETE, &path, &key, None, &bob_id).await;
        deleted.assert_error(
            403,
            &["you do not have permission to perform this action: users.delete"],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn who_may_act_as_whom_follows_calagopus() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await;
        let other_admin = app.user("ada", true, None).await;
        let desk = app.role("desk", &["users.read", "users.impersonate"]).await;
        app.user("dana", false, Some(desk)).await;
        let editors = app.role("editors", &["users.read", "users.update"]).await;
        let erin = app.user("erin", false, Some(editors)).await;
        let peers = app.role("peers", &["users.read"]).await;
        let pat = app.user("pat", false, Some(peers)).await;
        let plain = app.user("paul", false, None).await;
        let dana_session = app.session("dana").await;

        // No such user, or no uuid at all: Calagopus' 401.
        for named in [
            uuid::Uuid::new_v4().to_string(),
            "bob".to_owned(),
            String::new(),
        ] {
            acting(
                &app,
                Method::GET,
                "/api/client/account",
                &dana_session,
                None,
                &named,
            )
            .await
            .assert_error(401, &["unable to find user from calagopus-user header"]);
        }
        // A role admin acts only as a user holding no more than they do.
        for more in [&other_admin, &root.user, &erin] {
            acting(
                &app,
                Method::GET,
                "/api/client/account",
                &dana_session,
                None,
                &more.uuid.to_string(),
            )
            .await
            .assert_error(403, &["cannot impersonate a user with more permissions"]);
        }
        for fewer in [&pat, &plain] {
            let reply = acting(
                &app,
                Method::GET,
                "/api/client/account",
                &dana_session,
                None,
                &fewer.uuid.to_string(),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            assert_eq!(reply.body["user"]["username"], json!(fewer.username));
        }
        // A global admin acts as anyone, another admin too.
        let root_session = app.session("root").await;
        let reply = acting(
            &app,
            Method::GET,
            "/api/client/account",
            &root_session,
            None,
            &other_admin.uuid.to_string(),
        )
        .await;
        assert_eq!(reply.body["user"]["username"], "ada", "{}", reply.body);

        // Without the permission, the header is refused, not ignored: nobody acts as
        // themselves believing they act as someone else.
        let pat_session = app.session("pat").await;
        acting(
            &app,
            Method::GET,
            "/api/admin/users",
            &pat_session,
            None,
            &plain.uuid.to_string(),
        )
        .await
        .assert_error(
            403,
            &["you do not have permission to perform this action: users.impersonate"],
        );
        let narrow = Auth::Key(app.key_for(&root.user, &["users.read"]).await);
        acting(
            &app,
            Method::GET,
            "/api/admin/users",
            &narrow,
            None,
            &plain.uuid.to_string(),
        )
        .await
        .assert_error(
            403,
            &["you do not have permission to perform this action: users.impersonate"],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn acting_as_a_user_never_reaches_their_credentials() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await;
        let helpers = app.role("helpers", &["users.read", "users.update"]).await;
        let bob = app.user("bob", false, Some(helpers)).await;
        let session = app.session("root").await;
        let bob_id = bob.uuid.to_string();
        let refused = ["not allowed while acting as another user"];
        let password = format!(r#"{{"password": "{}", "new_password": "a brand new password"}}"#, common::PASSWORD);
        acting(&app, Method::PUT, "/api/client/account/password", &session, Some(&password), &bob_id)
            .await
            .assert_error(403, &refused);
        let email = format!(r#"{{"password": "{}", "email": "taken@example.com"}}"#, common::PASSWORD);
        acting(&app, Method::PUT, "/api/client/account/email", &session, Some(&email), &bob_id)
            .await
            .assert_error(403, &refused);
        acting(&app, Method::POST, "/api/client/account/two-factor/setup", &session, None, &bob_id)
            .await
            .assert_error(403, &refused);
        acting(&app, Method::POST, "/api/client/account/api-keys", &session, Some(r#"{"name": "mine", "admin_permissions": []}"#), &bob_id)
            .await
            .assert_error(403, &refused);
        acting(&app, Method::DELETE, "/api/client/account/sessions", &session, None, &bob_id)
            .await
            .assert_error(403, &refused);
        // Through the admin routes, bob's own password is his alone as well.
        let path = format!("/api/admin/users/{bob_id}");
        acting(&app, Method::PATCH, &path, &session, Some(r#"{"password": "a brand new password"}"#), &bob_id)
            .await
            .assert_error(403, &["your own email, password and two-factor change only through your account, signed in and with your current password"]);
        // Nothing changed: bob still signs in with his password, and keeps no new key.
        app.session("bob").await;
        assert_eq!(app.core.get_user(&root, bob.uuid).await.expect("bob").email, bob.email);
        app
    })
    .await;
}

#[tokio::test]
async fn sign_in_as_acts_for_half_an_hour_and_returning_restores_the_admin() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await;
        let desk = app.role("desk", &["users.read", "users.impersonate"]).await;
        let dana = app.user("dana", false, Some(desk)).await;
        let bob = app.user("bob", false, None).await;
        let Auth::Session(token) = app.session("dana").await else {
            panic!("a session");
        };
        let credentials = roster::services::Credentials {
            session_token: Some(token.clone()),
            ..Default::default()
        };
        let own = app
            .core
            .authenticate(&credentials)
            .await
            .expect("dana's session");
        assert_eq!(own.user.uuid, dana.uuid);

        // Acting as root, who holds more, is refused; acting as bob is not.
        assert_eq!(
            app.core
                .sign_in_as(&own, root.user.uuid)
                .await
                .map(|u| u.username)
                .unwrap_err()
                .messages(),
            vec!["cannot impersonate a user with more permissions"]
        );
        app.core
            .sign_in_as(&own, bob.uuid)
            .await
            .expect("dana acts as bob");
        let actor = app
            .core
            .authenticate(&credentials)
            .await
            .expect("the acting session");
        assert_eq!(actor.user.uuid, bob.uuid);
        assert_eq!(actor.impersonator.as_ref().map(|i| i.uuid), Some(dana.uuid));
        assert!(matches!(actor.credential, Credential::Session { .. }));
        assert_eq!(
            actor.require_own_name().unwrap_err().messages(),
            vec!["not allowed while acting as another user"]
        );
        // Through a session acting as bob, nobody acts as a third user.
        let as_root = acting(
            &app,
            Method::GET,
            "/api/client/account",
            &Auth::Session(token.clone()),
            None,
            &root.user.uuid.to_string(),
        )
        .await;
        as_root.assert_error(403, &["not allowed while acting as another user"]);
        let row = newest(&app, "user:impersonate").await;
        assert_eq!(row["user"]["username"], "dana", "{row}");
        assert_eq!(row["target"]["uuid"], json!(bob.uuid));

        // Returning restores dana.
        app.core
            .return_to_own_account(&actor)
            .await
            .expect("return");
        let back = app
            .core
            .authenticate(&credentials)
            .await
            .expect("dana again");
        assert_eq!(
            (back.user.uuid, back.impersonator.clone()),
            (dana.uuid, None)
        );

        // Half an hour on, the session is dana's own again by itself.
        app.core
            .sign_in_as(&back, bob.uuid)
            .await
            .expect("dana acts as bob again");
        let past = chrono::Utc::now() - chrono::Duration::seconds(1);
        let sql = "UPDATE sessions SET acting_until = $1";
        match app.core.database() {
            Database::Sqlite(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
            Database::Postgres(pool) => sqlx::query(sql).bind(past).execute(pool).await.map(|_| ()),
        }
        .expect("acting moved back");
        let expired = app
            .core
            .authenticate(&credentials)
            .await
            .expect("dana again");
        assert_eq!(
            (expired.user.uuid, expired.impersonator.clone()),
            (dana.uuid, None)
        );

        // The rules hold on every request: once bob holds more than dana, dana is herself.
        app.core
            .sign_in_as(&expired, bob.uuid)
            .await
            .expect("dana acts as bob again");
        let editors = app.role("editors", &["users.read", "users.update"]).await;
        let patch = roster::domain::user::UserPatch {
            role_uuid: Some(Some(editors)),
            ..Default::default()
        };
        app.core
            .update_user(&root, bob.uuid, patch, &roster::Precondition::None)
            .await
            .expect("bob gains a role");
        let outgrown = app
            .core
            .authenticate(&credentials)
            .await
            .expect("dana again");
        assert_eq!(
            (outgrown.user.uuid, outgrown.impersonator.clone()),
            (dana.uuid, None)
        );
        app
    })
    .await;
}
