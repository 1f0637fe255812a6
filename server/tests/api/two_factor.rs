//! Two-factor sign-in: enrolment confirmed by a code and the password, sign-in in two steps,
//! no code twice, single-use recovery codes, turning it off (by the user, by an admin with
//! mail), and roles that require it.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, PASSWORD, TestApp, code_at, enrol, now, on_each_backend};
use serde_json::{Value, json};

async fn first_step(app: &TestApp, user: &str) -> Value {
    let body = json!({ "user": user, "password": PASSWORD }).to_string();
    let reply = app.post("/api/auth/login", &Auth::None, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.headers.get("set-cookie").is_none(),
        "no session before the code"
    );
    reply.body
}

async fn checkpoint(app: &TestApp, token: &str, code: &str) -> common::Reply {
    let body = json!({ "token": token, "code": code }).to_string();
    app.post("/api/auth/login/checkpoint", &Auth::None, &body)
        .await
}

#[tokio::test]
async fn enrolment_then_sign_in_in_two_steps_with_no_code_twice() {
    on_each_backend(|app| async move {
        app.user("careful", true, None).await;
        let session = app.session("careful").await;
        let wrong = json!({ "code": "000000", "password": "not my password" }).to_string();
        app.post("/api/client/account/two-factor/setup", &session, "")
            .await;
        app.post("/api/client/account/two-factor", &session, &wrong)
            .await
            .assert_error(400, &["password: incorrect"]);
        let (secret, codes) = enrol(&app, &session).await;
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 10));
        let me = app.get("/api/client/account", &session).await;
        assert_eq!(me.body["user"]["totp_enabled"], true);
        app.post("/api/client/account/two-factor/setup", &session, "")
            .await
            .assert_error(400, &["two-factor authentication is already enabled"]);

        let step = first_step(&app, "careful").await;
        let token = step["token"].as_str().unwrap().to_owned();
        assert_eq!(
            step,
            json!({ "type": "two_factor_required", "token": token }),
            "nothing of the user before the second factor"
        );
        checkpoint(&app, &token, "123456")
            .await
            .assert_error(401, &["invalid two-factor code"]);
        // The code used to enrol was this step's; the next step's code signs in, once.
        let next = code_at(&secret, now() + 30);
        let reply = checkpoint(&app, &token, &next).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.headers.get("set-cookie").is_some());
        assert_eq!(reply.body["user"]["username"], "careful");
        let again = first_step(&app, "careful").await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        checkpoint(&app, &again, &next)
            .await
            .assert_error(401, &["invalid two-factor code"]);
        checkpoint(&app, &token, &codes[0])
            .await
            .assert_error(401, &["invalid two-factor code"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    on_each_backend(|app| async move {
        app.user("recoverer", false, None).await;
        let session = app.session("recoverer").await;
        let (_, codes) = enrol(&app, &session).await;
        let token = first_step(&app, "recoverer").await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let reply = checkpoint(&app, &token, &codes[3].to_uppercase()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let token = first_step(&app, "recoverer").await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        checkpoint(&app, &token, &codes[3])
            .await
            .assert_error(401, &["invalid two-factor code"]);
        let reply = checkpoint(&app, &token, &codes[4]).await;
        assert_eq!(reply.status, StatusCode::OK);
        app
    })
    .await;
}

#[tokio::test]
async fn the_code_step_is_throttled_like_a_password() {
    on_each_backend(|app| async move {
        app.user("guessed", false, None).await;
        let session = app.session("guessed").await;
        enrol(&app, &session).await;
        let token = first_step(&app, "guessed").await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        for _ in 0..10 {
            checkpoint(&app, &token, "000000")
                .await
                .assert_error(401, &["invalid two-factor code"]);
        }
        assert_eq!(
            checkpoint(&app, &token, "000000").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_user_turns_it_off_with_a_code_and_password() {
    on_each_backend(|app| async move {
        app.user("changer", false, None).await;
        let session = app.session("changer").await;
        let (secret, codes) = enrol(&app, &session).await;
        let bad = json!({ "code": code_at(&secret, now() + 30), "password": "wrong password" });
        let path = "/api/client/account/two-factor";
        let reply = app
            .request(
                axum::http::Method::DELETE,
                path,
                &session,
                Some(&bad.to_string()),
            )
            .await;
        reply.assert_error(400, &["password: incorrect"]);
        let good = json!({ "code": codes[0], "password": PASSWORD }).to_string();
        let reply = app
            .request(axum::http::Method::DELETE, path, &session, Some(&good))
            .await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        let body = json!({ "user": "changer", "password": PASSWORD }).to_string();
        let plain = app.post("/api/auth/login", &Auth::None, &body).await;
        assert_eq!(plain.body["user"]["username"], "changer");
        assert!(
            plain.body.get("type").is_none(),
            "a plain sign-in again: {}",
            plain.body
        );
        assert!(plain.headers.get("set-cookie").is_some());
        app
    })
    .await;
}

#[tokio::test]
async fn an_admin_turns_it_off_and_the_user_is_mailed() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await.user;
        let member = app.user("member", false, None).await;
        let session = app.session("member").await;
        enrol(&app, &session).await;
        let path = format!("/api/admin/users/{}/two-factor", member.uuid);
        let reader = Auth::Key(app.key_for(&root, &["users.read"]).await);
        app.delete(&path, &reader).await.assert_error(
            403,
            &["you do not have permission to perform this action: users.disable-two-factor"],
        );
        let admin = Auth::Key(
            app.key_for(&root, &["users.read", "users.disable-two-factor"])
                .await,
        );
        let reply = app.delete(&path, &admin).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        let user = app
            .get(&format!("/api/admin/users/{}", member.uuid), &admin)
            .await;
        assert_eq!(user.body["user"]["totp_enabled"], false);
        let outbox = app
            .core
            .list_outbox(
                &roster::Principal::operator(),
                roster::domain::page::ListQuery::default(),
            )
            .await
            .unwrap();
        assert_eq!(outbox.data[0].recipient, "member@example.com");
        assert_eq!(outbox.data[0].subject, "Two-factor sign-in was turned off");
        app
    })
    .await;
}

#[tokio::test]
async fn a_role_that_requires_it_keeps_members_without_it_out_of_the_admin_area() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let body = json!({ "name": "strict", "admin_permissions": ["users.read"], "require_two_factor": true });
        let reply = app.post("/api/admin/roles", &admin, &body.to_string()).await;
        assert_eq!(reply.body["role"]["require_two_factor"], true);
        let role = reply.body["role"]["uuid"].as_str().unwrap().parse().unwrap();
        app.user("strict_member", false, Some(role)).await;
        let session = app.session("strict_member").await;
        app.get("/api/admin/users", &session)
            .await
            .assert_error(403, &["two-factor authentication required"]);
        let (secret, _) = enrol(&app, &session).await;
        let token = first_step(&app, "strict_member").await["token"].as_str().unwrap().to_owned();
        let reply = checkpoint(&app, &token, &code_at(&secret, now() + 30)).await;
        let cookie = reply.headers["set-cookie"].to_str().unwrap();
        let fresh = Auth::Session(cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned());
        assert_eq!(app.get("/api/admin/users", &fresh).await.status, StatusCode::OK);
        app
    })
    .await;
}
