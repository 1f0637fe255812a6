//! Conditional requests: every read carries a strong `ETag`, `If-None-Match` answers 304, and a
//! `PATCH` or `DELETE` with a stale `If-Match` is 412 `resource has changed` and writes nothing,
//! even when two writers race with the same tag.

use crate::common;

use axum::http::{Method, header};
use common::{Auth, Reply, TestApp, on_each_backend};
use serde_json::json;

fn tag(reply: &Reply) -> String {
    reply.headers[header::ETAG]
        .to_str()
        .expect("ascii tag")
        .to_owned()
}

async fn with_headers(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &Auth,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    app.request_with(method, path, auth, body, headers).await
}

async fn create_user(app: &TestApp, admin: &Auth, name: &str) -> String {
    let body = json!({
        "username": name, "email": format!("{name}@example.com"),
        "name_first": "Ada", "name_last": "Lovelace"
    });
    let reply = app.post("/api/admin/users", admin, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["user"]["uuid"]
        .as_str()
        .expect("uuid")
        .to_owned()
}

#[tokio::test]
async fn a_read_is_tagged_and_a_held_version_is_not_sent_again() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let uuid = create_user(&app, &admin, "tagged").await;
        let path = format!("/api/admin/users/{uuid}");
        let first = app.get(&path, &admin).await;
        assert_eq!(first.status, 200);
        let etag = tag(&first);
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
            "{etag}"
        );
        assert_eq!(
            tag(&app.get(&path, &admin).await),
            etag,
            "the same version, the same tag"
        );

        for held in [
            etag.as_str(),
            &format!("W/{etag}"),
            &format!("\"other\", {etag}"),
            "*",
        ] {
            let reply = with_headers(
                &app,
                Method::GET,
                &path,
                &admin,
                None,
                &[("if-none-match", held)],
            )
            .await;
            assert_eq!(reply.status, 304, "If-None-Match: {held}");
            assert_eq!(reply.body, serde_json::Value::Null, "a 304 has no body");
            assert_eq!(tag(&reply), etag);
        }
        let reply = with_headers(
            &app,
            Method::GET,
            &path,
            &admin,
            None,
            &[("if-none-match", "\"stale\"")],
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["user"]["uuid"], uuid.as_str());

        // A listing is tagged by its content: a change anywhere in it is a new tag.
        let list = app.get("/api/admin/users", &admin).await;
        let list_tag = tag(&list);
        let reply = with_headers(
            &app,
            Method::GET,
            "/api/admin/users",
            &admin,
            None,
            &[("if-none-match", &list_tag)],
        )
        .await;
        assert_eq!(reply.status, 304);
        let reply = app
            .patch(&path, &admin, r#"{"name_first": "Augusta"}"#)
            .await;
        assert_eq!(reply.status, 200);
        assert_ne!(tag(&reply), etag, "a write answers the new version's tag");
        assert_eq!(tag(&reply), tag(&app.get(&path, &admin).await));
        let reply = with_headers(
            &app,
            Method::GET,
            "/api/admin/users",
            &admin,
            None,
            &[("if-none-match", &list_tag)],
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_ne!(tag(&reply), list_tag);
        app
    })
    .await;
}

#[tokio::test]
async fn a_write_against_a_stale_version_is_refused_and_writes_nothing() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let uuid = create_user(&app, &admin, "edited").await;
        let path = format!("/api/admin/users/{uuid}");
        let loaded = tag(&app.get(&path, &admin).await);
        // Someone else changes the user meanwhile.
        let reply = app.patch(&path, &admin, r#"{"name_last": "Byron"}"#).await;
        assert_eq!(reply.status, 200);
        let now = app.get(&path, &admin).await;

        for stale in [
            loaded.as_str(),
            &format!("W/{}", tag(&now)),
            "\"nonsense\"",
            "",
        ] {
            let reply = with_headers(
                &app,
                Method::PATCH,
                &path,
                &admin,
                Some(r#"{"name_last": "King"}"#),
                &[("if-match", stale)],
            )
            .await;
            reply.assert_error(412, &["resource has changed"]);
            let reply = with_headers(
                &app,
                Method::DELETE,
                &path,
                &admin,
                None,
                &[("if-match", stale)],
            )
            .await;
            reply.assert_error(412, &["resource has changed"]);
        }
        let after = app.get(&path, &admin).await;
        assert_eq!(after.body, now.body, "nothing was written");

        let reply = with_headers(
            &app,
            Method::PATCH,
            &path,
            &admin,
            Some(r#"{"name_last": "King"}"#),
            &[("if-match", &tag(&now))],
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["user"]["name_last"], "King");
        let reply = with_headers(
            &app,
            Method::PATCH,
            &path,
            &admin,
            Some(r#"{"name_last": "Noel"}"#),
            &[("if-match", "*")],
        )
        .await;
        assert_eq!(reply.status, 200, "`*` matches any version");
        let current = tag(&reply);
        let reply = with_headers(
            &app,
            Method::DELETE,
            &path,
            &admin,
            None,
            &[("if-match", &format!("\"x\", {current}"))],
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        app.get(&path, &admin)
            .await
            .assert_error(404, &["user not found"]);
        app
    })
    .await;
}

#[tokio::test]
async fn two_writers_holding_the_same_version_cannot_both_win() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let uuid = create_user(&app, &admin, "raced").await;
        let path = format!("/api/admin/users/{uuid}");
        let held = tag(&app.get(&path, &admin).await);
        let writers = (0..8).map(|n| {
            let (app, admin, path, held) = (&app, &admin, &path, &held);
            async move {
                let body = json!({ "name_first": format!("Writer{n}") }).to_string();
                with_headers(
                    app,
                    Method::PATCH,
                    path,
                    admin,
                    Some(&body),
                    &[("if-match", held)],
                )
                .await
            }
        });
        let replies = futures::future::join_all(writers).await;
        let won: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(won.len(), 1, "exactly one writer wins");
        for lost in replies.iter().filter(|r| r.status != 200) {
            lost.assert_error(412, &["resource has changed"]);
        }
        let stored = app.get(&path, &admin).await;
        assert_eq!(
            stored.body["user"]["name_first"],
            won[0].body["user"]["name_first"]
        );
        app
    })
    .await;
}

#[tokio::test]
async fn roles_and_servers_take_if_match_too() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let reply = app
            .post(
                "/api/admin/roles",
                &admin,
                r#"{"name": "support", "admin_permissions": ["users.read"]}"#,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let role = format!(
            "/api/admin/roles/{}",
            reply.body["role"]["uuid"].as_str().expect("uuid")
        );
        let owner = create_user(&app, &admin, "owner").await;
        let body = json!({ "name": "alpha", "owner_uuid": owner }).to_string();
        let reply = app.post("/api/admin/servers", &admin, &body).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let server = format!(
            "/api/admin/servers/{}",
            reply.body["server"]["uuid"].as_str().expect("uuid")
        );

        for (path, patch) in [
            (&role, r#"{"name": "helpdesk"}"#),
            (&server, r#"{"name": "beta"}"#),
        ] {
            let before = app.get(path, &admin).await;
            let stale = "\"0123456789abcdef0123456789abcdef\"";
            with_headers(
                &app,
                Method::PATCH,
                path,
                &admin,
                Some(patch),
                &[("if-match", stale)],
            )
            .await
            .assert_error(412, &["resource has changed"]);
            with_headers(
                &app,
                Method::DELETE,
                path,
                &admin,
                None,
                &[("if-match", stale)],
            )
            .await
            .assert_error(412, &["resource has changed"]);
            assert_eq!(
                app.get(path, &admin).await.body,
                before.body,
                "nothing was written"
            );
            let reply = with_headers(
                &app,
                Method::PATCH,
                path,
                &admin,
                Some(patch),
                &[("if-match", &tag(&before))],
            )
            .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            let reply = with_headers(
                &app,
                Method::DELETE,
                path,
                &admin,
                None,
                &[("if-match", &tag(&reply))],
            )
            .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
        }
        app
    })
    .await;
}
