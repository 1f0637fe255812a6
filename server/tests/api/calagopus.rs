//! What a Calagopus client sends and reads, on every backend: roles and keys copied from a
//! Calagopus panel, customers' names as billing modules send them, Calagopus' languages.

use crate::common;

use axum::http::StatusCode;
use common::{Auth, on_each_backend};
use serde_json::json;

#[tokio::test]
async fn permissions_copied_from_calagopus_are_kept_and_grant_nothing() {
    on_each_backend(|app| async move {
        // A global admin in person holds every key, the inert ones too; their API key below
        // holds only what it was given.
        app.admin_principal().await;
        let key = app.session("root").await;
        // A role as a Calagopus panel holds it: one key Roster acts on, three it keeps.
        let reply = app
            .post(
                "/api/admin/roles",
                &key,
                r#"{"name": "Ops", "admin_permissions": ["nodes.read", "users.read", "eggs.read", "settings.update"]}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.body["role"]["admin_permissions"],
            json!(["users.read", "settings.update", "nodes.read", "eggs.read"])
        );
        let ops = reply.body["role"]["uuid"].as_str().unwrap().to_owned();
        let path = format!("/api/admin/roles/{ops}");
        assert_eq!(
            app.get(&path, &key).await.body["role"]["admin_permissions"],
            json!(["users.read", "settings.update", "nodes.read", "eggs.read"])
        );
        // A name that is neither Roster's nor Calagopus' is still refused.
        app.patch(&path, &key, r#"{"admin_permissions": ["nodes.fly"]}"#)
            .await
            .assert_error(400, &["admin_permissions: unknown permission `nodes.fly`"]);

        // The catalogue lists only what Roster acts on.
        let catalogue = app.get("/api/client/permissions", &key).await.body;
        assert!(catalogue["admin_permissions"]["nodes"].is_null(), "{catalogue}");
        assert!(catalogue["admin_permissions"]["eggs"].is_null());

        // A role of inert keys alone opens nothing.
        let inert = app.role("inert", &["nodes.read", "settings.update"]).await;
        app.user("ina", false, Some(inert)).await;
        let session = app.session("ina").await;
        app.get("/api/admin/users", &session)
            .await
            .assert_error(401, &["unauthorized"]);

        // An API key may carry them too, within what its owner holds.
        let reply = app
            .post(
                "/api/client/account/api-keys",
                &app.session("root").await,
                r#"{"name": "copied", "admin_permissions": ["users.read", "nodes.read"]}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["api_key"]["admin_permissions"], json!(["users.read", "nodes.read"]));
        let copied = Auth::Key(reply.body["key"].as_str().unwrap().to_owned());
        assert_eq!(app.get("/api/admin/users", &copied).await.status, StatusCode::OK);

        // Nothing widens: a role admin cannot hand out an inert key their role lacks.
        let helpdesk = app.role("helpdesk", &["roles.create", "roles.read"]).await;
        app.user("desk", false, Some(helpdesk)).await;
        let desk = app.session("desk").await;
        app.post("/api/admin/roles", &desk, r#"{"name": "Wider", "admin_permissions": ["nodes.read"]}"#)
            .await
            .assert_error(403, &["you do not have permission to perform this action: nodes.read"]);
        app
    })
    .await;
}

#[tokio::test]
async fn the_user_object_has_calagopus_fields_kept_as_given() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let strict = app.role("strict", &[]).await;
        let body = json!({
            "username": "prefs", "email": "prefs@example.com", "name_first": "J",
            "name_last": "Smith", "language": "sv", "frozen": true,
            "toast_position": "bottom_left", "start_on_grouped_servers": false,
            "role_uuid": strict,
        });
        let reply = app.post("/api/admin/users", &key, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let user = reply.body["user"].clone();
        // Their order is pinned where the object is defined (`domain::user`).
        let mut fields: Vec<&str> = user.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        let mut calagopus = [
                "uuid", "external_id", "username", "role", "avatar", "email", "name_first",
                "name_last", "admin", "frozen", "suspended", "totp_enabled", "totp_last_used",
                "require_two_factor", "language", "toast_position", "start_on_grouped_servers",
                "has_password", "created", "last_login"
            ];
        calagopus.sort_unstable();
        assert_eq!(fields, calagopus);
        assert_eq!(
            (&user["avatar"], &user["frozen"], &user["totp_last_used"], &user["require_two_factor"]),
            (&json!(null), &json!(true), &json!(null), &json!(false))
        );
        assert_eq!(
            (&user["language"], &user["toast_position"], &user["start_on_grouped_servers"]),
            (&json!("sv"), &json!("bottom_left"), &json!(false))
        );
        let path = format!("/api/admin/users/{}", user["uuid"].as_str().unwrap());

        // A role that requires two-factor sign-in shows through; the preferences change alone.
        let reply = app
            .patch(
                &format!("/api/admin/roles/{strict}"),
                &key,
                r#"{"require_two_factor": true}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = app
            .patch(&path, &key, r#"{"toast_position": "top_center", "frozen": false, "name_first": null}"#)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let after = &reply.body["user"];
        assert_eq!(
            (&after["toast_position"], &after["frozen"], &after["start_on_grouped_servers"]),
            (&json!("top_center"), &json!(false), &json!(false))
        );
        assert_eq!((&after["name_first"], &after["require_two_factor"]), (&json!("J"), &json!(true)));

        // Defaults, as Calagopus has them.
        let reply = app
            .post(
                "/api/admin/users",
                &key,
                r#"{"username": "plain", "email": "plain@example.com", "name_first": "P", "name_last": "L"}"#,
            )
            .await;
        let plain = &reply.body["user"];
        assert_eq!(
            (&plain["frozen"], &plain["toast_position"], &plain["start_on_grouped_servers"], &plain["language"]),
            (&json!(false), &json!("top_right"), &json!(true), &json!("en"))
        );

        app.patch(&path, &key, r#"{"toast_position": "middle", "name_last": ""}"#)
            .await
            .assert_error(
                400,
                &[
                    "name_last: length is lower than 1",
                    "toast_position: must be one of top_left, top_center, top_right, \
                     bottom_left, bottom_center, bottom_right",
                ],
            );
        app.patch(&path, &key, r#"{"language": "xx"}"#).await.assert_error(
            400,
            &["language: unsupported language, use one of en, ar, de, el, es, fr, it, nl, no, \
               pl, pt, ro, ru, sk, sv, tr, uk, vi, zh"],
        );
        // What the failed requests sent was not kept.
        let now = app.get(&path, &key).await.body["user"].clone();
        assert_eq!((&now["toast_position"], &now["name_last"]), (&json!("top_center"), &json!("Smith")));
        app
    })
    .await;
}

#[tokio::test]
async fn a_frozen_user_changes_none_of_their_credentials_but_an_admin_still_can() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let icy = app.user("icy", false, None).await;
        let path = format!("/api/admin/users/{}", icy.uuid);
        let session = app.session("icy").await;
        let reply = app.patch(&path, &key, r#"{"frozen": true}"#).await;
        assert_eq!(reply.body["user"]["frozen"], true, "{}", reply.body);

        let password = json!({ "password": common::PASSWORD, "new_password": "a new passphrase" });
        app.request(
            axum::http::Method::PUT,
            "/api/client/account/password",
            &session,
            Some(&password.to_string()),
        )
        .await
        .assert_error(409, &["account is frozen"]);
        let email = json!({ "email": "icy2@example.com", "password": common::PASSWORD });
        app.request(
            axum::http::Method::PUT,
            "/api/client/account/email",
            &session,
            Some(&email.to_string()),
        )
        .await
        .assert_error(409, &["account is frozen"]);
        app.post("/api/client/account/two-factor/setup", &session, "")
            .await
            .assert_error(409, &["account is frozen"]);
        // Nothing changed: the old password still signs in, the address is the same.
        app.session("icy").await;
        let user = app.get(&path, &key).await.body["user"].clone();
        assert_eq!(
            (&user["email"], &user["totp_enabled"]),
            (&json!("icy@example.com"), &json!(false))
        );

        // The admin routes still change them.
        let reply = app
            .patch(
                &path,
                &key,
                r#"{"email": "icy3@example.com", "password": "set by an admin"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["user"]["email"], "icy3@example.com");

        // Thawed, the user changes their own again.
        app.patch(&path, &key, r#"{"frozen": false}"#).await;
        let session = app
            .session_from("icy", "set by an admin", "roster-tests")
            .await;
        let password = json!({ "password": "set by an admin", "new_password": "a new passphrase" });
        let reply = app
            .request(
                axum::http::Method::PUT,
                "/api/client/account/password",
                &session,
                Some(&password.to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app
    })
    .await;
}

/// A billing customer as the WHMCS module sends one.
struct Customer {
    client_id: &'static str,
    username: &'static str,
    email: &'static str,
    name_first: &'static str,
    name_last: &'static str,
}

/// The WHMCS module's `findOrCreateUser`, request for request: the user by external id; else a
/// create with `send_email` and the configured language; on 409 a search by email, then by
/// username, and a `PATCH` of the external id onto the user found. Returns the user's uuid.
async fn find_or_create(app: &common::TestApp, key: &Auth, customer: &Customer) -> String {
    let external = format!("whmcs-{}", customer.client_id);
    let found = app
        .get(&format!("/api/admin/users/external/{external}"), key)
        .await;
    if found.status == StatusCode::OK {
        return found.body["user"]["uuid"].as_str().unwrap().to_owned();
    }
    assert_eq!(found.status, StatusCode::NOT_FOUND, "{}", found.body);
    let body = json!({
        "external_id": external, "username": customer.username, "email": customer.email,
        "name_first": customer.name_first, "name_last": customer.name_last,
        "admin": false, "language": "ro", "send_email": true,
    });
    let created = app.post("/api/admin/users", key, &body.to_string()).await;
    if created.status == StatusCode::OK {
        return created.body["user"]["uuid"].as_str().unwrap().to_owned();
    }
    created.assert_error(409, &["user with email/username already exists"]);
    let mut uuid = None;
    for (field, term) in [("email", customer.email), ("username", customer.username)] {
        let page = app
            .get(
                &format!("/api/admin/users?search={}", common::encode(term)),
                key,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        uuid = page.body["users"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user[field].as_str().unwrap().eq_ignore_ascii_case(term))
            .map(|user| user["uuid"].as_str().unwrap().to_owned());
        if uuid.is_some() {
            break;
        }
    }
    let uuid = uuid.expect("the user the 409 was about");
    let reply = app
        .patch(
            &format!("/api/admin/users/{uuid}"),
            key,
            &json!({ "external_id": external }).to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    uuid
}

#[tokio::test]
async fn the_whmcs_module_provisions_customers_by_their_real_names() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        // Already in Roster: one customer by address (signed up by hand), one by username only.
        app.post(
            "/api/admin/users",
            &key,
            r#"{"username": "anne_marie", "email": "ANNE@example.com", "name_first": "Anne-Marie", "name_last": "X"}"#,
        )
        .await;
        app.post(
            "/api/admin/users",
            &key,
            r#"{"username": "zoe", "email": "zoe.old@example.com", "name_first": "Zoë", "name_last": "Ångström"}"#,
        )
        .await;
        let customers = [
            Customer { client_id: "1", username: "jsmith", email: "j@example.com", name_first: "J", name_last: "Smith" },
            Customer { client_id: "2", username: "bruce", email: "bruce@example.cn", name_first: "李", name_last: "小龙" },
            Customer { client_id: "3", username: "anne_marie", email: "anne@example.com", name_first: "Anne-Marie", name_last: "X" },
            Customer { client_id: "4", username: "zoe", email: "zoe@example.com", name_first: "Zoë", name_last: "Ångström" },
        ];
        for customer in &customers {
            let uuid = find_or_create(&app, &key, customer).await;
            // The second run finds the same user by external id, and changes nothing.
            assert_eq!(find_or_create(&app, &key, customer).await, uuid);
            let user = app.get(&format!("/api/admin/users/{uuid}"), &key).await.body["user"].clone();
            assert_eq!(
                (&user["external_id"], &user["name_first"], &user["name_last"]),
                (
                    &json!(format!("whmcs-{}", customer.client_id)),
                    &json!(customer.name_first),
                    &json!(customer.name_last)
                ),
                "{user}"
            );
        }
        // The two new customers got the module's language and a set-password mail; the two
        // found ones kept what they had.
        let users = app.whole_listing(&key, "").await;
        let language = |name: &str| {
            users.iter().find(|u| u["username"] == name).map(|u| u["language"].clone()).unwrap()
        };
        assert_eq!(
            [language("jsmith"), language("bruce"), language("anne_marie"), language("zoe")],
            [json!("ro"), json!("ro"), json!("en"), json!("en")]
        );
        app.core.settle().await;
        let outbox = app
            .core
            .list_outbox(&roster::Principal::operator(), roster::domain::page::ListQuery::default())
            .await
            .unwrap();
        let mut recipients: Vec<&str> = outbox.data.iter().map(|m| m.recipient.as_str()).collect();
        recipients.sort();
        assert_eq!(recipients, ["bruce@example.cn", "j@example.com"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_roles_members_and_a_users_servers_are_listed_as_calagopus_lists_them() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let support = app.role("support", &["users.read"]).await;
        let other = app.role("other", &[]).await;
        for (name, role) in [
            ("sup_a", Some(support)),
            ("oth_b", Some(other)),
            ("none_c", None),
            ("sup_d", Some(support)),
        ] {
            app.user(name, false, role).await;
        }
        let reply = app
            .get(&format!("/api/admin/roles/{support}/users"), &key)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let names: Vec<&str> = reply.body["users"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sup_a", "sup_d"]);
        assert_eq!(
            (
                &reply.body["users"]["total"],
                &reply.body["users"]["per_page"],
                &reply.body["users"]["page"]
            ),
            (&json!(2), &json!(10), &json!(1))
        );
        let reply = app
            .get(
                &format!("/api/admin/roles/{support}/users?search=_d&per_page=1"),
                &key,
            )
            .await;
        assert_eq!(reply.body["users"]["total"], 1);
        assert_eq!(reply.body["users"]["data"][0]["username"], "sup_d");
        app.get(
            &format!("/api/admin/roles/{}/users", uuid::Uuid::new_v4()),
            &key,
        )
        .await
        .assert_error(404, &["role not found"]);
        app.get("/api/admin/roles/nope/users", &key)
            .await
            .assert_error(400, &["invalid role uuid"]);
        // A key without users.read sees no members.
        let root = app.admin_principal().await.user;
        let roles_only = Auth::Key(app.key_for(&root, &["roles.read"]).await);
        app.get(&format!("/api/admin/roles/{support}/users"), &roles_only)
            .await
            .assert_error(
                403,
                &["you do not have permission to perform this action: users.read"],
            );

        // `owned` as Calagopus' clients send it: Roster's servers have only owners.
        let owner = app.user("owner", false, None).await;
        let body = json!({ "name": "mc", "owner_uuid": owner.uuid });
        let reply = app
            .post("/api/admin/servers", &key, &body.to_string())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for owned in ["", "?owned=true", "?owned=false"] {
            let reply = app
                .get(
                    &format!("/api/admin/users/{}/servers{owned}", owner.uuid),
                    &key,
                )
                .await;
            assert_eq!(reply.body["servers"]["total"], 1, "{owned}: {}", reply.body);
            assert_eq!(reply.body["servers"]["data"][0]["name"], "mc");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn activity_reads_as_calagopus_shows_it() {
    on_each_backend(|app| async move {
        let root = app.admin_principal().await;
        let key = app.admin_key().await;
        let bob = app.user("bob", false, None).await;
        app.session("bob").await;
        let path = format!("/api/admin/users/{}", bob.uuid);
        let reply = app.patch(&path, &key, r#"{"name_last": "Builder"}"#).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reset = format!("/api/admin/users/{}/email/reset-password", bob.uuid);
        assert_eq!(app.post(&reset, &key, "{}").await.status, StatusCode::ACCEPTED);

        // Calagopus' envelope and row, Roster's fields after them.
        let page = app.get("/api/admin/activity?event=user:update", &key).await.body;
        let row = page["activities"]["data"][0].clone();
        let root_created = app.get(&format!("/api/admin/users/{}", root.user.uuid), &key).await.body["user"]["created"].clone();
        assert_eq!(
            row,
            json!({
                "user": { "uuid": root.user.uuid, "username": "root", "avatar": null, "totp_enabled": false, "created": root_created },
                "impersonator": null,
                "event": "user:update",
                "ip": "127.0.0.1",
                "data": { "name_last": { "before": "Person", "after": "Builder" } },
                "is_api": true,
                "created": row["created"],
                "id": row["id"],
                "actor": { "uuid": root.user.uuid, "username": "root" },
                "impersonated_by": null,
                "credential": row["credential"],
                "target": { "type": "user", "uuid": bob.uuid, "label": "bob" },
            })
        );
        assert_eq!(row["credential"]["type"], "api_key");

        // Calagopus' event names, and Roster's former ones still filter.
        let names = |page: &serde_json::Value| -> Vec<String> {
            page["activities"]["data"].as_array().unwrap().iter().map(|r| r["event"].as_str().unwrap().to_owned()).collect()
        };
        let reset_rows = app.get("/api/admin/activity?event=user:email.password-reset", &key).await.body;
        assert_eq!(names(&reset_rows), ["user:email.password-reset"]);
        let former = app.get("/api/admin/activity?event=user:password-reset-sent", &key).await.body;
        assert_eq!(former["activities"], reset_rows["activities"]);
        let sign_ins = app.get("/api/admin/activity?event=auth:sign-in", &key).await.body;
        assert_eq!(names(&sign_ins), ["auth:success"]);

        // `search`: an event name holding the term, or an actor's username starting with it.
        let searched = app.get("/api/admin/activity?search=EMAIL.", &key).await.body;
        assert_eq!(names(&searched), ["user:email.password-reset"]);
        let by_name = app.get("/api/admin/activity?search=BO", &key).await.body;
        assert_eq!(names(&by_name), ["auth:success"]);
        assert_eq!(by_name["activities"]["data"][0]["user"]["username"], "bob");
        let literal = app.get("/api/admin/activity?search=b%25", &key).await.body;
        assert_eq!(literal["activities"]["total"], 0);
        let long = format!("/api/admin/activity?search={}", "a".repeat(256));
        app.get(&long, &key).await.assert_error(400, &["search: length is greater than 255"]);

        // `user=`: what one user did.
        let bobs = app.get(&format!("/api/admin/activity?user={}", bob.uuid), &key).await.body;
        assert_eq!(names(&bobs), ["auth:success"]);
        app.get("/api/admin/activity?user=bob", &key)
            .await
            .assert_error(400, &["user: must be a uuid"]);

        // A user's own route, in the same envelope, searched the same way.
        let route = format!("/api/admin/users/{}/activity?search=user:", bob.uuid);
        let own = app.get(&route, &key).await.body;
        assert_eq!(names(&own), ["user:email.password-reset", "user:update", "user:create"]);
        app
    })
    .await;
}
