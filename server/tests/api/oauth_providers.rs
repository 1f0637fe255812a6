//! OAuth providers, their claim mappings and users' links as Calagopus' admin API has them, on
//! every backend: Paymenter's provisioning flow, the errors a client reads, and the rules a
//! caller cannot get around (the secret never shown, mappings handing out only what their author
//! could).

use crate::common;

use axum::http::StatusCode;
use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

const SECRET: &str = "s3cret-never-shown";

fn provider_body(name: &str) -> String {
    json!({
        "name": name,
        "description": "Company sign-in",
        "enabled": true,
        "login_only": false,
        "login_bypass_two_factor": false,
        "link_viewable": true,
        "user_manageable": true,
        "basic_auth": false,
        "client_id": "roster-client",
        "client_secret": SECRET,
        "auth_url": "https://id.example.com/authorize",
        "token_url": "https://id.example.com/token",
        "info_url": "https://id.example.com/userinfo",
        "scopes": ["openid", "email"],
        "identifier_path": "$.sub",
        "email_path": "$.email",
        "username_path": null,
        "name_first_path": "$.given_name",
        "name_last_path": "$.family_name",
    })
    .to_string()
}

async fn provider(app: &TestApp, key: &Auth, name: &str) -> String {
    let reply = app
        .post("/api/admin/oauth-providers", key, &provider_body(name))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["oauth_provider"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every row of the log and every reply so far, as text: where the secret must never appear.
async fn log_text(app: &TestApp, key: &Auth) -> String {
    app.get("/api/admin/activity?per_page=100", key)
        .await
        .body
        .to_string()
}

#[tokio::test]
async fn paymenter_provisions_a_customer_through_a_provider_identity() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let reply = app.post("/api/admin/oauth-providers", &key, &provider_body("Corp SSO")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let created = reply.body["oauth_provider"].clone();
        let uuid = created["uuid"].as_str().unwrap().to_owned();
        assert_eq!(
            created,
            json!({
                "uuid": uuid, "name": "Corp SSO", "description": "Company sign-in",
                "client_id": "roster-client", "client_secret": null, "issuer": null,
                "auth_url": "https://id.example.com/authorize",
                "token_url": "https://id.example.com/token",
                "info_url": "https://id.example.com/userinfo",
                "scopes": ["openid", "email"], "identifier_path": "$.sub",
                "email_path": "$.email", "username_path": null,
                "name_first_path": "$.given_name", "name_last_path": "$.family_name",
                "enabled": true, "login_only": false, "login_bypass_two_factor": false,
                "link_viewable": true, "user_manageable": true, "basic_auth": false,
                "created": created["created"],
            })
        );

        // Paymenter: look the customer up by their identity; nobody yet.
        let lookup = format!("/api/admin/oauth-providers/{uuid}/users/identifier/cust-42");
        app.get(&lookup, &key).await.assert_error(404, &["user oauth link not found"]);
        // Create the user, then link them.
        let made = app
            .post(
                "/api/admin/users",
                &key,
                r#"{"username": "jsmith", "email": "j@example.com", "name_first": "J", "name_last": "Smith"}"#,
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let user = made.body["user"]["uuid"].as_str().unwrap().to_owned();
        let links = format!("/api/admin/users/{user}/oauth-links");
        let body = json!({ "oauth_provider_uuid": uuid, "identifier": "cust-42" }).to_string();
        let linked = app.post(&links, &key, &body).await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
        let link = linked.body["oauth_link"].clone();
        assert_eq!(
            link,
            json!({
                "uuid": link["uuid"],
                "oauth_provider": { "uuid": uuid, "name": "Corp SSO", "link_viewable": true, "user_manageable": true },
                "identifier": "cust-42", "last_used": null, "created": link["created"],
            })
        );
        // Now the lookup finds them, with the whole user.
        let found = app.get(&lookup, &key).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        assert_eq!(found.body["user_oauth_link"]["uuid"], link["uuid"]);
        assert_eq!(found.body["user_oauth_link"]["user"]["username"], "jsmith");
        assert_eq!(found.body["user_oauth_link"]["identifier"], "cust-42");
        let listed = app.get(&format!("/api/admin/oauth-providers/{uuid}/users?search=ST-4"), &key).await;
        assert_eq!(listed.body["user_oauth_links"]["total"], 1, "{}", listed.body);

        // One identity per user at a provider, one user per identity.
        let other = app.user("other", false, None).await;
        let others = format!("/api/admin/users/{}/oauth-links", other.uuid);
        app.post(&others, &key, &body)
            .await
            .assert_error(409, &["oauth link with provider + identifier already exists"]);
        let second = json!({ "oauth_provider_uuid": uuid, "identifier": "cust-43" }).to_string();
        app.post(&links, &key, &second)
            .await
            .assert_error(409, &["oauth link with provider + identifier already exists"]);
        let nowhere = json!({ "oauth_provider_uuid": uuid::Uuid::new_v4(), "identifier": "x" }).to_string();
        app.post(&others, &key, &nowhere)
            .await
            .assert_error(404, &["oauth provider not found"]);

        let page = app.get(&links, &key).await.body;
        assert_eq!(page["oauth_links"]["total"], 1);
        let one = format!("{links}/{}", link["uuid"].as_str().unwrap());
        assert_eq!(app.get(&one, &key).await.body["oauth_link"], link);

        // The log: the link with its provider and identity, on the user.
        let rows = app.get("/api/admin/activity?event=user:oauth-links.create", &key).await.body;
        let row = &rows["activities"]["data"][0];
        assert_eq!(row["target"]["uuid"], json!(user));
        assert_eq!(row["data"]["oauth_link"]["after"]["identifier"], "cust-42");

        // Unlinking: the lookup is empty again.
        assert_eq!(app.delete(&one, &key).await.body, json!({}));
        app.get(&lookup, &key).await.assert_error(404, &["user oauth link not found"]);
        app.get(&one, &key).await.assert_error(404, &["oauth link not found"]);
        let rows = app.get("/api/admin/activity?event=user:oauth-link.delete", &key).await.body;
        assert_eq!(rows["activities"]["total"], 1);
        assert!(!log_text(&app, &key).await.contains(SECRET));
        app
    })
    .await;
}

#[tokio::test]
async fn providers_are_administered_as_calagopus_does() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let uuid = provider(&app, &key, "Corp SSO").await;
        let path = format!("/api/admin/oauth-providers/{uuid}");

        // Names are unique whatever their case.
        app.post("/api/admin/oauth-providers", &key, &provider_body("corp sso"))
            .await
            .assert_error(409, &["oauth provider with name already exists"]);
        // Every field is judged, and each failing one named.
        let mut bad: Value = serde_json::from_str(&provider_body("Broken")).unwrap();
        bad["identifier_path"] = json!("sub");
        bad["token_url"] = json!("javascript:alert(1)");
        bad["client_id"] = json!("x");
        bad["scopes"] = json!(["open id"]);
        let reply = app.post("/api/admin/oauth-providers", &key, &bad.to_string()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        let errors = reply.errors();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert_eq!(errors[0], "client_id: length is lower than 3");
        assert_eq!(errors[1], "token_url: must be an http or https URL");
        assert_eq!(errors[2], "scopes: `open id` is not a scope: 1 to 64 characters, no spaces");
        assert!(errors[3].starts_with("identifier_path: must be a valid json path"), "{errors:?}");
        // Calagopus requires the flags too.
        let reply = app.post("/api/admin/oauth-providers", &key, r#"{"name": "Half"}"#).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.errors()[0].starts_with("invalid payload: missing field"), "{}", reply.body);

        app.get("/api/admin/oauth-providers/nope", &key)
            .await
            .assert_error(400, &["invalid oauth provider uuid"]);
        app.get(&format!("/api/admin/oauth-providers/{}", uuid::Uuid::new_v4()), &key)
            .await
            .assert_error(404, &["oauth provider not found"]);

        // A change keeps what it does not name; `null` clears an optional path.
        let reply = app
            .patch(&path, &key, r#"{"name": "Staff SSO", "enabled": false, "name_last_path": null, "client_secret": "another secret"}"#)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let updated = &reply.body["oauth_provider"];
        assert_eq!(
            (updated["name"].clone(), updated["enabled"].clone(), updated["name_last_path"].clone(), updated["email_path"].clone(), updated["client_secret"].clone()),
            (json!("Staff SSO"), json!(false), Value::Null, json!("$.email"), Value::Null)
        );
        let rows = app.get("/api/admin/activity?event=oauth-provider:update", &key).await.body;
        assert_eq!(
            rows["activities"]["data"][0]["data"],
            json!({
                "name": { "before": "Corp SSO", "after": "Staff SSO" },
                "enabled": { "before": true, "after": false },
                "name_last_path": { "before": "$.family_name", "after": null },
                "client_secret": { "changed": true },
            })
        );
        let list = app.get("/api/admin/oauth-providers?search=staff", &key).await.body;
        assert_eq!(list["oauth_providers"]["total"], 1);
        assert_eq!(list["oauth_providers"]["data"][0]["uuid"], json!(uuid));
        let none = app.get("/api/admin/oauth-providers?search=corp", &key).await.body;
        assert_eq!(none["oauth_providers"]["total"], 0);

        // Deleting takes the links with it.
        let bob = app.user("bob", false, None).await;
        let links = format!("/api/admin/users/{}/oauth-links", bob.uuid);
        let body = json!({ "oauth_provider_uuid": uuid, "identifier": "b-1" }).to_string();
        assert_eq!(app.post(&links, &key, &body).await.status, StatusCode::OK);
        assert_eq!(app.delete(&path, &key).await.body, json!({}));
        assert_eq!(app.get(&links, &key).await.body["oauth_links"]["total"], 0);
        app.get(&path, &key).await.assert_error(404, &["oauth provider not found"]);

        // The secret is never shown: not in replies, not in the log.
        let text = log_text(&app, &key).await;
        assert!(!text.contains(SECRET) && !text.contains("another secret"), "{text}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_mapping_hands_out_only_a_role_its_author_could() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let uuid = provider(&app, &key, "Corp SSO").await;
        let mappings = format!("/api/admin/oauth-providers/{uuid}/mappings");
        let helpdesk = app.role("helpdesk", &["users.read", "users.update"]).await;
        let body = json!({
            "matcher": { "type": "field_contains", "path": "$.groups", "contains": "support" },
            "mapping": { "type": "role", "role_uuid": helpdesk, "revoke_unmatched": true },
        });
        let reply = app.post(&mappings, &key, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mapping = reply.body["oauth_mapping"].clone();
        assert_eq!(mapping["matcher"], body["matcher"]);
        assert_eq!(mapping["mapping"], body["mapping"]);
        let one = format!("{mappings}/{}", mapping["uuid"].as_str().unwrap());
        assert_eq!(app.get(&one, &key).await.body["oauth_mapping"], mapping);
        assert_eq!(app.get(&mappings, &key).await.body["oauth_mappings"]["total"], 1);

        // What Roster cannot act on, and what is malformed, are field errors.
        let subuser = json!({ "matcher": { "type": "none" }, "mapping": { "type": "server_subuser", "server_uuid": uuid::Uuid::new_v4(), "permissions": [], "ignored_files": [] } });
        app.post(&mappings, &key, &subuser.to_string())
            .await
            .assert_error(400, &["mapping: server_subuser mappings have nothing to act on in Roster"]);
        let nobody = json!({ "matcher": { "type": "none" }, "mapping": { "type": "role", "role_uuid": uuid::Uuid::new_v4() } });
        app.post(&mappings, &key, &nobody.to_string())
            .await
            .assert_error(400, &["mapping: role_uuid names no role"]);
        let deep = json!({ "matcher": { "type": "and", "matchers": [{ "type": "or", "matchers": [{ "type": "not", "matcher": { "type": "and", "matchers": [] } }] }] }, "mapping": body["mapping"] });
        app.post(&mappings, &key, &deep.to_string())
            .await
            .assert_error(400, &["matcher: matcher may not nest groups more than 3 levels deep"]);

        // A role admin who may change providers still hands out no role holding more than they do.
        let admins = app.role("sso-admins", &["oauth-providers.read", "oauth-providers.update", "users.read"]).await;
        app.user("sam", false, Some(admins)).await;
        let sam = app.session("sam").await;
        app.post(&mappings, &sam, &body.to_string())
            .await
            .assert_error(403, &["you do not have permission to perform this action: users.update"]);
        app.delete(&one, &sam)
            .await
            .assert_error(403, &["you do not have permission to perform this action: users.update"]);
        let readers = app.role("readers", &["users.read"]).await;
        let within = json!({ "matcher": { "type": "scopes", "scopes": ["staff"] }, "mapping": { "type": "role", "role_uuid": readers } });
        let reply = app.post(&mappings, &sam, &within.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

        // Another provider's mapping is not found through this one.
        let other = provider(&app, &key, "Other").await;
        let elsewhere = format!("/api/admin/oauth-providers/{other}/mappings/{}", mapping["uuid"].as_str().unwrap());
        app.get(&elsewhere, &key).await.assert_error(404, &["oauth mapping not found"]);

        // Change, then remove; each in the log on the provider.
        let reply = app.patch(&one, &key, r#"{"matcher": {"type": "none"}}"#).await;
        assert_eq!(reply.body["oauth_mapping"]["matcher"], json!({ "type": "none" }), "{}", reply.body);
        assert_eq!(reply.body["oauth_mapping"]["mapping"], body["mapping"]);
        assert_eq!(app.delete(&one, &key).await.body, json!({}));
        app.get(&one, &key).await.assert_error(404, &["oauth mapping not found"]);
        let rows = app.get(&format!("/api/admin/activity?target={uuid}"), &key).await.body;
        let events: Vec<&str> = rows["activities"]["data"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap()).collect();
        assert_eq!(
            events,
            ["oauth-provider:mapping.delete", "oauth-provider:mapping.update", "oauth-provider:mapping.create", "oauth-provider:mapping.create", "oauth-provider:create"]
        );
        app
    })
    .await;
}

#[tokio::test]
async fn each_route_needs_its_permission() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let uuid = provider(&app, &key, "Corp SSO").await;
        let root = app.admin_principal().await;
        let bob = app.user("bob", false, None).await;
        let users_only = Auth::Key(
            app.key_for(&root.user, &["users.read", "users.update"])
                .await,
        );
        let missing = |p: &str| format!("you do not have permission to perform this action: {p}");
        app.get("/api/admin/oauth-providers", &users_only)
            .await
            .assert_error(403, &[&missing("oauth-providers.read")]);
        app.post(
            "/api/admin/oauth-providers",
            &users_only,
            &provider_body("X"),
        )
        .await
        .assert_error(403, &[&missing("oauth-providers.create")]);
        app.get(
            &format!("/api/admin/users/{}/oauth-links", bob.uuid),
            &users_only,
        )
        .await
        .assert_error(403, &[&missing("users.oauth-links")]);
        // Paymenter's lookup returns a whole user: it needs users.read too.
        let providers_only = Auth::Key(app.key_for(&root.user, &["oauth-providers.read"]).await);
        app.get(
            &format!("/api/admin/oauth-providers/{uuid}/users/identifier/x"),
            &providers_only,
        )
        .await
        .assert_error(403, &[&missing("users.read")]);
        // The catalogue lists the group.
        let catalogue = app.get("/api/client/permissions", &key).await.body;
        let group = &catalogue["admin_permissions"]["oauth-providers"]["permissions"];
        let mut names: Vec<&String> = group.as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["create", "delete", "read", "update"]);
        app
    })
    .await;
}
