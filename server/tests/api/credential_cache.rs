//! Instances remember the API keys they have checked, and forget them within a second of any
//! change that narrows them, made on any instance: the key revoked, its owner suspended,
//! deleted, demoted or moved out of a role, the role losing a permission. Each case warms the
//! cache of a second instance, changes the data through the first, and asks the second until it
//! answers as the database does.

use crate::common;

use std::time::{Duration, Instant};

use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

/// How long an instance may go on honouring what another instance has revoked.
const WITHIN: Duration = Duration::from_secs(1);

/// Waits until both instances watch the database (they start watching in the background).
async fn both_watching(a: &TestApp, b: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(a.core.remembers_keys() && b.core.remembers_keys()) {
        assert!(
            Instant::now() < deadline,
            "the credential watchers never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A user holding `users.read` through a role, with a session and a `users.read` key made by
/// that session. Answers the user's uuid, the session, the key and the key's uuid.
async fn reader(app: &TestApp, name: &str, role: uuid::Uuid) -> (uuid::Uuid, Auth, Auth, String) {
    let user = app.user(name, false, Some(role)).await;
    let session = app.session(name).await;
    let reply = app
        .post(
            "/api/client/account/api-keys",
            &session,
            &json!({ "name": "reader", "admin_permissions": ["users.read"] }).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let created = reply.body;
    let key = Auth::Key(created["key"].as_str().expect("key").to_owned());
    let key_uuid = created["api_key"]["uuid"]
        .as_str()
        .expect("key uuid")
        .to_owned();
    (user.uuid, session, key, key_uuid)
}

/// Reads the owner's own record on `app` with the key until the answer is `refusal` (what the
/// database says now), which must come within [`WITHIN`]. Until then the instance may still
/// answer from what it remembers (a 200, or a 404 for an owner deleted meanwhile).
async fn refused_within_a_second(
    app: &TestApp,
    user: uuid::Uuid,
    key: &Auth,
    refusal: (u16, Value),
) {
    let path = format!("/api/admin/users/{user}");
    let started = Instant::now();
    loop {
        let reply = app.get(&path, key).await;
        if (reply.status.as_u16(), &reply.body) == (refusal.0, &refusal.1) {
            println!("{}: refused after {:?}", app.backend, started.elapsed());
            return;
        }
        assert!(
            started.elapsed() < WITHIN,
            "{}: after {:?} the other instance still answers {} {}",
            app.backend,
            started.elapsed(),
            reply.status,
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn warm(app: &TestApp, user: uuid::Uuid, key: &Auth) {
    for _ in 0..3 {
        let reply = app.get(&format!("/api/admin/users/{user}"), key).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

fn errors(message: &str) -> Value {
    json!({ "errors": [message] })
}

#[tokio::test]
async fn a_narrowed_key_is_refused_by_every_instance_within_a_second() {
    on_each_backend(|a| async move {
        let b = a.another_instance().await;
        both_watching(&a, &b).await;
        let admin = a.admin_key().await;
        let role = a.role("readers", &["users.read"]).await;

        // The key revoked by its owner.
        let (user, session, key, key_uuid) = reader(&a, "revoked", role).await;
        warm(&b, user, &key).await;
        let reply = a
            .delete(
                &format!("/api/client/account/api-keys/{key_uuid}"),
                &session,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(&b, user, &key, (401, errors("invalid api key"))).await;

        // The owner suspended.
        let (user, _, key, _) = reader(&a, "suspended", role).await;
        warm(&b, user, &key).await;
        let reply = a
            .patch(
                &format!("/api/admin/users/{user}"),
                &admin,
                r#"{"suspended": true}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(&b, user, &key, (403, errors("account is suspended"))).await;

        // The owner moved out of the role.
        let (user, _, key, _) = reader(&a, "unassigned", role).await;
        warm(&b, user, &key).await;
        let reply = a
            .patch(
                &format!("/api/admin/users/{user}"),
                &admin,
                r#"{"role_uuid": null}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(&b, user, &key, (401, errors("unauthorized"))).await;

        // The owner deleted.
        let (user, _, key, _) = reader(&a, "deleted", role).await;
        warm(&b, user, &key).await;
        let reply = a.delete(&format!("/api/admin/users/{user}"), &admin).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(&b, user, &key, (401, errors("invalid api key"))).await;

        // The role losing the permission the key uses.
        let (user, _, key, _) = reader(&a, "narrowed", role).await;
        warm(&b, user, &key).await;
        let reply = a
            .patch(
                &format!("/api/admin/roles/{role}"),
                &admin,
                r#"{"admin_permissions": ["users.create"]}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(
            &b,
            user,
            &key,
            (
                403,
                errors("you do not have permission to perform this action: users.read"),
            ),
        )
        .await;

        b.finish().await;
        a
    })
    .await;
}

#[tokio::test]
async fn a_global_admin_demoted_elsewhere_loses_the_key_within_a_second() {
    on_each_backend(|a| async move {
        let b = a.another_instance().await;
        both_watching(&a, &b).await;
        let admin = a.admin_key().await;
        let boss = a.user("boss", true, None).await;
        let session = a.session("boss").await;
        let reply = a
            .post(
                "/api/client/account/api-keys",
                &session,
                r#"{"name": "all", "admin_permissions": ["users.read"]}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let key = Auth::Key(reply.body["key"].as_str().expect("key").to_owned());
        warm(&b, boss.uuid, &key).await;
        let reply = a
            .patch(
                &format!("/api/admin/users/{}", boss.uuid),
                &admin,
                r#"{"admin": false}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refused_within_a_second(&b, boss.uuid, &key, (401, errors("unauthorized"))).await;
        b.finish().await;
        a
    })
    .await;
}

/// A listener whose connection is cut hears nothing: the instance must stop trusting what it
/// remembers at once, not after the next change it failed to hear.
#[tokio::test]
async fn a_cut_listener_turns_remembering_off_until_it_is_back() {
    let Some(server) = common::postgres_server() else {
        return;
    };
    let a = TestApp::postgres(&server).await;
    let b = a.another_instance().await;
    both_watching(&a, &b).await;
    let role = a.role("readers", &["users.read"]).await;
    let (user, session, key, key_uuid) = reader(&a, "cut", role).await;
    warm(&b, user, &key).await;

    let database = a.url.rsplit('/').next().expect("database name").to_owned();
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server)
        .await
        .expect("connects");
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = $1 AND query LIKE 'LISTEN%'",
    )
    .bind(&database)
    .fetch_one(&mut admin)
    .await
    .expect("listeners terminated");
    assert_eq!(cut, 2, "one listener per instance");
    let reply = a
        .delete(
            &format!("/api/client/account/api-keys/{key_uuid}"),
            &session,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    refused_within_a_second(&b, user, &key, (401, errors("invalid api key"))).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.core.remembers_keys() {
        assert!(Instant::now() < deadline, "the listener never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.finish().await;
    a.finish().await;
}

/// Without a watcher nothing is remembered, and keys still work (from the database).
#[tokio::test]
async fn without_a_watcher_every_key_is_looked_up() {
    on_each_backend(|a| async move {
        let mut b = a.another_instance().await;
        both_watching(&a, &b).await;
        let role = a.role("readers", &["users.read"]).await;
        let (user, _, key, _) = reader(&a, "unwatched", role).await;
        b.stop_watching().await;
        assert!(!b.core.remembers_keys());
        warm(&b, user, &key).await;
        b.finish().await;
        a
    })
    .await;
}

/// A write forgets only the keys it narrowed: sign-ins, sign-outs, purges and changes to other
/// users leave a remembered key remembered, on the instance that made them and on the others.
#[tokio::test]
async fn only_what_a_write_narrows_is_forgotten() {
    on_each_backend(|a| async move {
        let b = a.another_instance().await;
        both_watching(&a, &b).await;
        let role = a.role("readers", &["users.read"]).await;
        let (user, _, key, _) = reader(&a, "kept", role).await;
        a.user("visitor", false, None).await;
        // The watchers first hear of the setup's own changes, which would forget the key.
        tokio::time::sleep(Duration::from_millis(700)).await;
        warm(&a, user, &key).await;
        warm(&b, user, &key).await;
        assert_eq!((a.core.remembered_keys(), b.core.remembered_keys()), (1, 1));

        let visitor = a.session("visitor").await;
        let wrong = json!({ "user": "visitor", "password": "not it" }).to_string();
        a.post("/api/auth/login", &Auth::None, &wrong).await;
        a.post("/api/auth/logout", &visitor, "").await;
        a.core.purge_expired_sessions().await.expect("purged");
        let root = a.admin_principal().await;
        let visitor = a
            .core
            .get_user_by_login(&roster::Principal::operator(), "visitor")
            .await
            .expect("visitor");
        let patch = roster::domain::user::UserPatch {
            name_first: Some(roster::domain::fields::PersonName::parse("Vee".into()).unwrap()),
            ..Default::default()
        };
        a.core
            .update_user(&root, visitor.uuid, patch, &roster::Precondition::None)
            .await
            .expect("renamed");
        // Whatever the watchers were going to hear, they have heard.
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(
            (a.core.remembered_keys(), b.core.remembered_keys()),
            (1, 1),
            "on {}",
            a.backend
        );

        let patch = roster::domain::user::UserPatch {
            name_first: Some(roster::domain::fields::PersonName::parse("Kay".into()).unwrap()),
            ..Default::default()
        };
        a.core
            .update_user(&root, user, patch, &roster::Precondition::None)
            .await
            .expect("renamed");
        assert_eq!(
            a.core.remembered_keys(),
            0,
            "the owner's change, here at once"
        );
        let deadline = Instant::now() + WITHIN;
        while b.core.remembered_keys() != 0 {
            assert!(Instant::now() < deadline, "and within a second elsewhere");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        b.core.database().close().await;
        a
    })
    .await;
}
