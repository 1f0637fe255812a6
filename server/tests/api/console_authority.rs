//! The console's server functions, called over HTTP as the hydrated console calls them, meet the
//! same authority rules as the REST API: they live in the core, not in either door.

use crate::common;
use roster::Refusal;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp, encode, on_each_backend};
use roster::Permission;
use roster::error::Guardrail;
use roster_app::error::AppError;
use serde_json::Value;

/// Calls a server function with a url-encoded body, as the console's client does.
async fn call(app: &TestApp, endpoint: &str, auth: &Auth, form: &[(&str, &str)]) -> common::Reply {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.request_with(
        Method::POST,
        &format!("/_roster/{endpoint}"),
        auth,
        Some(&body),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ],
    )
    .await
}

#[track_caller]
fn assert_refused(reply: &common::Reply, status: u16, refusal: Refusal) {
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.body);
    let expected: Value =
        serde_json::to_value(AppError::Refused(refusal)).expect("error serialises");
    assert_eq!(reply.body, expected);
}

#[track_caller]
fn assert_success(reply: &common::Reply) {
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{}: {}",
        reply.status,
        reply.body
    );
}

fn user_form<'a>(username: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("form[username]", username),
        ("form[email]", email),
        ("form[name_last]", "Sole"),
        ("form[language]", "en"),
    ]
}

#[tokio::test]
async fn a_role_admin_meets_the_core_rules_through_the_console() {
    on_each_backend(|app| async move {
        let users = app
            .role(
                "user admins",
                &["users.read", "users.create", "users.update", "users.delete"],
            )
            .await;
        let auditors = app.role("auditors", &["users.read", "roles.read"]).await;
        app.user("deputy", false, Some(users)).await;
        let chief = app.user("chief", true, None).await;
        let auditor = app.user("auditor", false, Some(auditors)).await;
        let session = app.session("deputy").await;

        let mut form = user_form("minted", "minted@example.com");
        form.push(("form[name_first]", "Con"));
        form.push(("form[admin]", "on"));
        let reply = call(&app, "users/create", &session, &form).await;
        assert_refused(&reply, 403, Refusal::Guardrail(Guardrail::GrantAdmin));
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "minted")
                .await
                .is_err()
        );

        let chief_id = chief.uuid.to_string();
        let mut form = user_form("chief", "chief@example.com");
        form.push(("uuid", &chief_id));
        form.push(("form[name_first]", "Renamed"));
        form.push(("form[admin]", "on"));
        let reply = call(&app, "users/update", &session, &form).await;
        assert_refused(&reply, 403, Refusal::Guardrail(Guardrail::ModifyAdmin));

        let reply = call(&app, "users/delete", &session, &[("uuid", &chief_id)]).await;
        assert_refused(&reply, 403, Refusal::Guardrail(Guardrail::ModifyAdmin));

        let auditor_id = auditor.uuid.to_string();
        let reply = call(&app, "users/delete", &session, &[("uuid", &auditor_id)]).await;
        assert_refused(
            &reply,
            403,
            Refusal::MissingPermission(Permission::RolesRead),
        );
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "auditor")
                .await
                .is_ok()
        );

        let reply = call(
            &app,
            "roles/save",
            &session,
            &[("name", "wide"), ("admin_permissions[0]", "servers.delete")],
        )
        .await;
        assert_refused(
            &reply,
            403,
            Refusal::MissingPermission(Permission::RolesCreate),
        );

        let mut form = user_form("plain", "plain@example.com");
        form.push(("form[name_first]", "Con"));
        let reply = call(&app, "users/create", &session, &form).await;
        assert_success(&reply);
        assert!(
            !app.core
                .get_user_by_login(&roster::Principal::operator(), "plain")
                .await
                .unwrap()
                .admin
        );
        app
    })
    .await;
}

#[tokio::test]
async fn malformed_arguments_are_the_callers_mistake_and_change_nothing() {
    on_each_backend(|app| async move {
        app.user("boss", true, None).await;
        let session = app.session("boss").await;
        let mut form = user_form("twice", "twice@example.com");
        form.push(("form[name_first]", "One"));
        form.push(("form[name_first]", "Two"));
        let reply = call(&app, "users/create", &session, &form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        let reply = call(&app, "users/delete", &session, &[("uuid", "not-a-uuid")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "twice")
                .await
                .is_err()
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_stranger_asking_who_is_signed_in_gets_a_plain_answer() {
    on_each_backend(|app| async move {
        let reply = call(&app, "auth/current_user", &Auth::None, &[]).await;
        assert_eq!(
            (reply.status, reply.body),
            (StatusCode::OK, serde_json::Value::Null)
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_global_admin_meets_the_core_rules_through_the_console() {
    on_each_backend(|app| async move {
        let me = app.user("boss", true, None).await;
        let session = app.session("boss").await;
        let my_id = me.uuid.to_string();

        let reply = call(&app, "users/delete", &session, &[("uuid", &my_id)]).await;
        assert_refused(&reply, 400, Refusal::DeleteSelf);

        let mut form = user_form("boss", "boss@example.com");
        form.push(("form[name_first]", "Test"));
        form.push(("uuid", &my_id));
        let reply = call(&app, "users/update", &session, &form).await;
        assert_refused(&reply, 400, Refusal::LastGlobalAdmin);
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "boss")
                .await
                .unwrap()
                .admin
        );

        let mut form = user_form("second", "second@example.com");
        form.push(("form[name_first]", "Con"));
        form.push(("form[admin]", "on"));
        form.push(("form[password]", "second password"));
        assert_success(&call(&app, "users/create", &session, &form).await);
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "second")
                .await
                .unwrap()
                .admin
        );

        let other = app.session("boss").await;
        let reply = call(&app, "sessions/end_others", &session, &[]).await;
        assert_success(&reply);
        app.get("/api/client/account", &other)
            .await
            .assert_error(401, &["invalid session"]);
        assert_eq!(
            app.get("/api/client/account", &session).await.status,
            StatusCode::OK
        );

        let reply = call(
            &app,
            "api_keys/create",
            &session,
            &[("name", "console key")],
        )
        .await;
        assert_success(&reply);
        assert!(
            reply.body["key"]
                .as_str()
                .is_some_and(|k| k.starts_with("ptlc_"))
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_provisioning_key_never_holds_more_than_its_maker() {
    on_each_backend(|app| async move {
        let users = app
            .role(
                "user admins",
                &["users.read", "users.create", "users.update", "users.delete"],
            )
            .await;
        app.user("deputy", false, Some(users)).await;
        let session = app.session("deputy").await;
        let with_groups = [("provider", "okta"), ("groups", "on")];
        let reply = call(&app, "provisioning/create_key", &session, &with_groups).await;
        assert_refused(
            &reply,
            403,
            Refusal::MissingPermission(Permission::RolesRead),
        );
        let users_only = call(
            &app,
            "provisioning/create_key",
            &session,
            &[("provider", "okta")],
        )
        .await;
        assert_success(&users_only);
        assert!(
            users_only.body["key"]
                .as_str()
                .unwrap()
                .starts_with("ptlc_")
        );
        let overview = call(&app, "provisioning/overview", &session, &[]).await;
        assert_success(&overview);
        assert_eq!(overview.body["base_url"], "http://127.0.0.1:3000/scim/v2");
        assert_eq!(overview.body["keys"][0]["provider"], "okta");
        assert_eq!(
            overview.body["keys"][0]["key"]["admin_permissions"],
            serde_json::json!(["users.read", "users.create", "users.update", "users.delete"])
        );
        let nameless = call(
            &app,
            "provisioning/create_key",
            &session,
            &[("provider", "")],
        )
        .await;
        assert_eq!(
            nameless.status,
            StatusCode::BAD_REQUEST,
            "{}",
            nameless.body
        );
        app
    })
    .await;
}
