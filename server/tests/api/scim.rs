//! Provisioning from identity providers through SCIM 2.0, on every backend: discovery, the
//! requests Okta and Entra ID document (replayed from `fixtures/scim`), filters and paging,
//! errors as SCIM messages, and the authority a provider's key has.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, Reply, TestApp, encode, on_each_backend};
use roster::domain::fields::Label;
use serde_json::{Value, json};

const BASE: &str = "http://127.0.0.1:3000/scim/v2";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &Auth,
    body: Option<&Value>,
) -> Reply {
    let body = body.map(Value::to_string);
    let reply = app
        .request_with(
            method,
            &format!("/scim/v2{path}"),
            auth,
            body.as_deref(),
            &[("content-type", "application/scim+json")],
        )
        .await;
    if !reply.body.is_null() {
        assert_eq!(
            reply.headers["content-type"], "application/scim+json",
            "every answer with a body is SCIM's JSON"
        );
    }
    reply
}

/// A request as a provider's guide documents it, with its placeholder ids replaced.
fn fixture(name: &str, ids: &[(&str, &str)]) -> (Method, String, Option<Value>) {
    let path = format!(
        "{}/tests/api/fixtures/scim/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&path).expect("fixture exists");
    for (placeholder, id) in ids {
        text = text.replace(placeholder, id);
    }
    let fixture: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let method = Method::from_bytes(fixture["method"].as_str().unwrap().as_bytes()).unwrap();
    let path = fixture["path"].as_str().unwrap().to_owned();
    let body = Some(fixture["body"].clone()).filter(|b| !b.is_null());
    (method, path, body)
}

async fn replay(app: &TestApp, auth: &Auth, name: &str, ids: &[(&str, &str)]) -> Reply {
    let (method, path, body) = fixture(name, ids);
    // Guides print filters as read; on the wire they are percent-encoded.
    let path = path.replace(' ', "%20").replace('"', "%22");
    scim(app, method, &path, auth, body.as_ref()).await
}

#[track_caller]
fn assert_scim_error(reply: &Reply, status: u16, scim_type: Option<&str>, detail: &str) {
    let mut expected = json!({
        "schemas": [ERROR],
        "status": status.to_string(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        expected["scimType"] = json!(scim_type);
    }
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.body);
    assert_eq!(reply.body, expected);
}

/// A provisioning key of the global admin `root`, made as the provisioning page makes it.
async fn provider_key(app: &TestApp, provider: &str, groups: bool) -> Auth {
    let admin = app.admin_principal().await;
    let created = app
        .core
        .create_provisioning_key(&admin, Label::parse(provider.to_owned()).unwrap(), groups)
        .await
        .expect("key is made");
    Auth::Key(created.key)
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().expect("an id").to_owned()
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["Resources"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_advertises_what_works() {
    on_each_backend(|app| async move {
        let config = scim(
            &app,
            Method::GET,
            "/ServiceProviderConfig",
            &Auth::None,
            None,
        )
        .await;
        assert_eq!(config.status, StatusCode::OK);
        assert_eq!(config.body["patch"], json!({"supported": true}));
        assert_eq!(
            config.body["filter"],
            json!({"supported": true, "maxResults": 200})
        );
        assert_eq!(config.body["etag"], json!({"supported": true}));
        assert_eq!(config.body["sort"], json!({"supported": false}));
        assert_eq!(config.body["bulk"]["supported"], false);
        let types = scim(&app, Method::GET, "/ResourceTypes", &Auth::None, None).await;
        assert_eq!(types.body["totalResults"], 2);
        assert_eq!(types.body["Resources"][0]["endpoint"], "/Users");
        assert_eq!(types.body["Resources"][1]["endpoint"], "/Groups");
        let user = scim(
            &app,
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            &Auth::None,
            None,
        )
        .await;
        let names: Vec<&str> = user.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "emails",
                "active",
                "preferredLanguage",
                "password"
            ]
        );
        let unknown = scim(&app, Method::GET, "/Schemas/nope", &Auth::None, None).await;
        assert_scim_error(&unknown, 404, None, "no schema nope");
        let posted = scim(
            &app,
            Method::POST,
            "/ServiceProviderConfig",
            &Auth::None,
            Some(&json!({})),
        )
        .await;
        assert_scim_error(&posted, 405, None, "the endpoint does not take that method");
        let nowhere = scim(&app, Method::GET, "/Nothing", &Auth::None, None).await;
        assert_scim_error(&nowhere, 404, None, "no such resource or endpoint");
        app
    })
    .await;
}

#[tokio::test]
async fn resources_need_a_bearer_api_key_that_covers_the_request() {
    on_each_backend(|app| async move {
        let none = scim(&app, Method::GET, "/Users", &Auth::None, None).await;
        assert_scim_error(&none, 401, None, "missing authorization");
        app.user("alice", true, None).await;
        let session = app.session("alice").await;
        let by_cookie = scim(&app, Method::GET, "/Users", &session, None).await;
        assert_scim_error(&by_cookie, 401, None, "missing authorization");
        let forged = scim(
            &app,
            Method::GET,
            "/Users",
            &Auth::Key("ptlc_nope".into()),
            None,
        )
        .await;
        assert_scim_error(&forged, 401, None, "invalid api key");
        let admin = app.admin_principal().await;
        let roles_only = Auth::Key(app.key_for(&admin.user, &["roles.read"]).await);
        let narrow = scim(&app, Method::GET, "/Users", &roles_only, None).await;
        assert_scim_error(
            &narrow,
            403,
            None,
            "you do not have permission to perform this action: users.read",
        );
        app
    })
    .await;
}

#[tokio::test]
async fn okta_creates_finds_deactivates_and_replaces_a_user() {
    on_each_backend(|app| async move {
        let okta = provider_key(&app, "okta", true).await;
        let created = replay(&app, &okta, "okta/02_create_user", &[]).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = id_of(&created);
        let location = format!("{BASE}/Users/{id}");
        assert_eq!(created.headers["location"], location.as_str());
        assert_eq!(
            created.headers["etag"],
            created.body["meta"]["version"].as_str().unwrap()
        );
        let mut shown = created.body.clone();
        for volatile in ["created", "lastModified", "version"] {
            shown["meta"].as_object_mut().unwrap().remove(volatile);
        }
        assert_eq!(
            shown,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": id,
                "externalId": "00ujl29u0le5T6Aj10h7",
                "userName": "test.user@okta.local",
                "name": {"givenName": "Test", "familyName": "User"},
                "emails": [{"value": "test.user@okta.local", "type": "work"}],
                "active": true,
                "preferredLanguage": "en",
                "meta": {"resourceType": "User", "location": location},
            })
        );
        // The username Roster gives a name that breaks its rule, and nothing more than a user.
        let admin = app.admin_key().await;
        let rest = app.get(&format!("/api/admin/users/{id}"), &admin).await;
        assert_eq!(rest.body["user"]["username"], "test_user");
        assert_eq!(rest.body["user"]["admin"], false);
        assert_eq!(rest.body["user"]["role"], Value::Null);

        let found = replay(&app, &okta, "okta/01_get_user_by_username", &[]).await;
        assert_eq!(found.status, StatusCode::OK);
        assert_eq!(found.body["totalResults"], 1);
        assert_eq!(found.body["startIndex"], 1);
        assert_eq!(found.body["itemsPerPage"], 1);
        assert_eq!(ids(&found), vec![id.clone()]);
        let shouted = format!(
            "/Users?filter={}",
            encode(r#"userName eq "TEST.USER@okta.local""#)
        );
        assert_eq!(
            ids(&scim(&app, Method::GET, &shouted, &okta, None).await),
            vec![id.clone()]
        );

        // Okta pushed a password: the user signs in with it, until deactivated.
        let session = app
            .session_from("test.user@okta.local", "1mz050nq", "browser")
            .await;
        assert_eq!(
            app.get("/api/client/account", &session).await.status,
            StatusCode::OK
        );
        let placeholder = [("23a35c27-23d3-4c03-b4c5-6443c09e7173", id.as_str())];
        let deactivated = replay(&app, &okta, "okta/03_patch_user_deactivate", &placeholder).await;
        assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
        assert_eq!(deactivated.body["active"], false);
        let rest = app.get(&format!("/api/admin/users/{id}"), &admin).await;
        assert_eq!(rest.body["user"]["suspended"], true);
        app.get("/api/client/account", &session)
            .await
            .assert_error(401, &["invalid session"]);

        let replaced = replay(&app, &okta, "okta/04_put_user_update", &placeholder).await;
        assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
        assert_eq!(
            replaced.body["name"],
            json!({"givenName": "Another", "familyName": "User"})
        );
        assert_eq!(replaced.body["active"], true);
        assert_eq!(
            replaced.body.get("externalId"),
            None,
            "a PUT states the user whole"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn entra_creates_patches_in_its_own_shapes_and_deletes() {
    on_each_backend(|app| async move {
        let entra = provider_key(&app, "entra", true).await;
        let created = replay(&app, &entra, "entra/02_create_user", &[]).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = id_of(&created);
        assert_eq!(
            created.body["userName"],
            "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
        );
        let admin = app.admin_key().await;
        let rest = app.get(&format!("/api/admin/users/{id}"), &admin).await;
        assert_eq!(rest.body["user"]["username"], "Test_User_00aa0");

        let by_name = replay(&app, &entra, "entra/01_get_user_by_username", &[]).await;
        assert_eq!(ids(&by_name), vec![id.clone()]);
        let by_external = format!(
            "/Users?filter={}",
            encode("externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")
        );
        assert_eq!(
            ids(&scim(&app, Method::GET, &by_external, &entra, None).await),
            vec![id.clone()]
        );

        let placeholders = [
            ("6764549bef60420686bc", id.as_str()),
            ("5171a35d82074e068ce2", id.as_str()),
        ];
        let changed = replay(
            &app,
            &entra,
            "entra/03_patch_user_replace_with_path",
            &placeholders,
        )
        .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(
            changed.body["emails"],
            json!([{"value": "updatedEmail@microsoft.com", "type": "work"}])
        );
        assert_eq!(changed.body["name"]["familyName"], "updatedFamilyName");
        let disabled = replay(
            &app,
            &entra,
            "entra/03c_patch_user_disable_string_False",
            &placeholders,
        )
        .await;
        assert_eq!(disabled.body["active"], false);
        let nickname = replay(
            &app,
            &entra,
            "entra/03e_patch_user_add_single_value",
            &placeholders,
        )
        .await;
        assert_eq!(nickname.status, StatusCode::OK);
        assert_eq!(nickname.body["name"], changed.body["name"]);
        let no_path = replay(
            &app,
            &entra,
            "entra/04_patch_user_replace_no_path_object",
            &placeholders,
        )
        .await;
        assert_eq!(no_path.status, StatusCode::OK, "{}", no_path.body);
        assert_eq!(
            no_path.body["name"],
            json!({"givenName": "Kkom", "familyName": "Unua"})
        );
        assert_eq!(
            no_path.body["emails"][0]["value"],
            "TestMhvaes@test.microsoft.com"
        );
        let renamed = replay(
            &app,
            &entra,
            "entra/03b_patch_user_replace_userName",
            &placeholders,
        )
        .await;
        assert_eq!(
            renamed.body["userName"],
            "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
        );

        let deleted = replay(&app, &entra, "entra/08_delete_user", &placeholders).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(deleted.body, Value::Null);
        let gone = scim(&app, Method::GET, &format!("/Users/{id}"), &entra, None).await;
        assert_scim_error(&gone, 404, None, "user not found");
        app
    })
    .await;
}

#[tokio::test]
async fn groups_are_roles_and_their_members_hold_them() {
    on_each_backend(|app| async move {
        let okta = provider_key(&app, "okta", true).await;
        let admin = app.admin_key().await;
        let one = app.user("member_one", false, None).await.uuid.to_string();
        let two = app.user("member_two", false, None).await.uuid.to_string();
        let created = replay(&app, &okta, "okta/05_create_group", &[]).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let group = id_of(&created);
        assert_eq!(created.body["displayName"], "Test SCIMv2");
        assert_eq!(created.body["members"], json!([]));
        let role = app.get(&format!("/api/admin/roles/{group}"), &admin).await;
        assert_eq!(role.body["role"]["name"], "Test SCIMv2");
        assert_eq!(role.body["role"]["admin_permissions"], json!([]));

        let ids = [
            ("abf4dd94-a4c0-4f67-89c9-76b03340cb9b", group.as_str()),
            ("a99962b9f99d4c4fac67", group.as_str()),
            ("fa2ce26709934589afc5", group.as_str()),
            ("cdb1ce18f65944079d37", group.as_str()),
            ("23a35c27-23d3-4c03-b4c5-6443c09e7173", one.as_str()),
            ("89bb1940-b905-4575-9e7f-6f887cfb368e", two.as_str()),
            ("f648f8d5ea4e4cd38e9c", two.as_str()),
        ];
        let role_of = |user: String| {
            let app = &app;
            let admin = &admin;
            async move {
                app.get(&format!("/api/admin/users/{user}"), admin)
                    .await
                    .body["user"]["role"]["uuid"]
                    .clone()
            }
        };
        let added = replay(&app, &okta, "okta/06_patch_group_add_members", &ids).await;
        assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.body);
        assert_eq!(role_of(one.clone()).await, json!(group));
        let added = replay(&app, &okta, "entra/07_patch_group_add_member", &ids).await;
        assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.body);
        let read = scim(&app, Method::GET, &format!("/Groups/{group}"), &okta, None).await;
        assert_eq!(
            read.body["members"],
            json!([
                {"value": one, "$ref": format!("{BASE}/Users/{one}"), "type": "User"},
                {"value": two, "$ref": format!("{BASE}/Users/{two}"), "type": "User"},
            ])
        );
        let removed = replay(&app, &okta, "entra/07b_patch_group_remove_member", &ids).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(role_of(two.clone()).await, Value::Null);
        assert_eq!(role_of(one.clone()).await, json!(group));
        // Okta's combined change: one out, the other in.
        let combined = replay(
            &app,
            &okta,
            "okta/06b_patch_group_membership_combined_verbatim",
            &ids,
        )
        .await;
        assert_eq!(combined.status, StatusCode::NO_CONTENT);
        let replaced = replay(&app, &okta, "okta/09_patch_group_replace_members", &ids).await;
        assert_eq!(replaced.status, StatusCode::NO_CONTENT);
        assert_eq!(role_of(two.clone()).await, json!(group));
        let removed = replay(&app, &okta, "okta/07_patch_group_remove_members", &ids).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(role_of(two.clone()).await, Value::Null);

        let renamed = replay(&app, &okta, "entra/07d_patch_group_rename", &ids).await;
        assert_eq!(renamed.status, StatusCode::NO_CONTENT);
        let okta_rename = replay(&app, &okta, "okta/08_patch_group_rename", &ids).await;
        assert_eq!(
            okta_rename.status,
            StatusCode::NO_CONTENT,
            "{}",
            okta_rename.body
        );
        let found = replay(&app, &okta, "entra/05_get_group_by_displayName", &ids).await;
        assert_eq!(found.body["totalResults"], 0, "renamed away from that name");
        let by_name = format!(
            "/Groups?excludedAttributes=members&filter={}",
            encode(r#"displayName eq "test scimv2""#)
        );
        let found = scim(&app, Method::GET, &by_name, &okta, None).await;
        assert_eq!(found.body["totalResults"], 1);
        assert_eq!(found.body["Resources"][0].get("members"), None);
        let by_member = format!(
            "/Groups?filter={}",
            encode(&format!(r#"members[value eq "{one}"]"#))
        );
        assert_eq!(
            scim(&app, Method::GET, &by_member, &okta, None).await.body["totalResults"],
            1
        );

        let deleted = replay(&app, &okta, "okta/10_delete_group", &ids).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(role_of(one.clone()).await, Value::Null);
        app
    })
    .await;
}

#[tokio::test]
async fn a_group_push_never_grants_more_than_the_key_holder_may() {
    on_each_backend(|app| async move {
        let member = app.user("member", false, None).await.uuid.to_string();
        // A role admin holding users.* and roles.* still cannot hand out roles.
        let scim_role = app
            .role(
                "Provisioners",
                &[
                    "users.read",
                    "users.create",
                    "users.update",
                    "users.delete",
                    "roles.read",
                    "roles.create",
                    "roles.update",
                    "roles.delete",
                ],
            )
            .await;
        let role_admin = app.user("provisioner", false, Some(scim_role)).await;
        let all = [
            "users.read",
            "users.create",
            "users.update",
            "users.delete",
            "roles.read",
            "roles.create",
            "roles.update",
            "roles.delete",
        ];
        let narrow = Auth::Key(app.key_for(&role_admin, &all).await);
        let pushed = json!({"displayName": "Pushed", "members": [{"value": member}]});
        let refused = scim(&app, Method::POST, "/Groups", &narrow, Some(&pushed)).await;
        assert_scim_error(&refused, 403, None, "only global admins can assign roles");
        let okta = provider_key(&app, "okta", true).await;
        let search = format!("/Groups?filter={}", encode(r#"displayName eq "Pushed""#));
        assert_eq!(
            scim(&app, Method::GET, &search, &okta, None).await.body["totalResults"],
            0,
            "nothing of the refused push is left"
        );

        // A global admin's key gives no role carrying a permission the key lacks.
        let servers = app.role("Server admins", &["servers.read"]).await;
        let add =
            json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": member}]}]});
        let refused = scim(
            &app,
            Method::PATCH,
            &format!("/Groups/{servers}"),
            &okta,
            Some(&add),
        )
        .await;
        assert_scim_error(
            &refused,
            403,
            None,
            "you do not have permission to perform this action: servers.read",
        );
        let admin = app.admin_key().await;
        let user = app.get(&format!("/api/admin/users/{member}"), &admin).await;
        assert_eq!(user.body["user"]["role"], Value::Null);

        // A key for users alone makes no groups, and no provider makes an admin.
        let users_only = provider_key(&app, "users", false).await;
        let refused = scim(
            &app,
            Method::POST,
            "/Groups",
            &users_only,
            Some(&json!({"displayName": "X"})),
        )
        .await;
        assert_scim_error(
            &refused,
            403,
            None,
            "you do not have permission to perform this action: roles.read",
        );
        let wants_admin = json!({
            "userName": "sneaky", "admin": true, "roles": [{"value": "admin"}],
            "name": {"givenName": "S", "familyName": "N"}, "emails": [{"value": "s@example.com"}],
        });
        let created = scim(
            &app,
            Method::POST,
            "/Users",
            &users_only,
            Some(&wants_admin),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED);
        let user = app
            .get(&format!("/api/admin/users/{}", id_of(&created)), &admin)
            .await;
        assert_eq!(user.body["user"]["admin"], false);
        app
    })
    .await;
}

#[tokio::test]
async fn filters_pages_and_attributes_work_as_advertised() {
    on_each_backend(|app| async move {
        let okta = provider_key(&app, "okta", true).await;
        let before = chrono::Utc::now() - chrono::Duration::seconds(1);
        let mut made = Vec::new();
        for (name, external, active) in [
            ("alice@x.com", Some("e1"), true),
            ("bob@x.com", Some("e2"), true),
            ("carol", None, false),
        ] {
            let mut body = json!({
                "userName": name,
                "name": {"givenName": "G", "familyName": "F"},
                "emails": [{"value": format!("{}@x.com", name.split('@').next().unwrap())}],
                "active": active,
            });
            if let Some(external) = external {
                body["externalId"] = json!(external);
            }
            let created = scim(&app, Method::POST, "/Users", &okta, Some(&body)).await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
            made.push(id_of(&created));
        }
        let [alice, bob, carol] = [made[0].clone(), made[1].clone(), made[2].clone()];
        let query = |filter: String| {
            let app = &app;
            let okta = &okta;
            async move {
                let reply = scim(app, Method::GET, &format!("/Users?filter={}", encode(&filter)), okta, None).await;
                assert_eq!(reply.status, StatusCode::OK, "{filter}: {}", reply.body);
                ids(&reply)
            }
        };
        let mine = r#"emails.value ew "@x.com""#;
        assert_eq!(query(r#"userName eq "alice@x.com""#.into()).await, vec![alice.clone()]);
        assert_eq!(query(format!(r#"userName ne "alice@x.com" and {mine}"#)).await, [bob.clone(), carol.clone()]);
        assert_eq!(query(r#"emails.value co "OB@""#.into()).await, vec![bob.clone()]);
        assert_eq!(query(r#"userName sw "car""#.into()).await, vec![carol.clone()]);
        assert_eq!(query(format!("externalId pr and {mine}")).await, [alice.clone(), bob.clone()]);
        assert_eq!(query(r#"externalId eq "e2""#.into()).await, vec![bob.clone()]);
        assert_eq!(query(r#"emails[type eq "work"].value eq "bob@x.com""#.into()).await, vec![bob.clone()]);
        assert_eq!(query(r#"emails[type eq "home"].value eq "bob@x.com""#.into()).await, Vec::<String>::new());
        assert_eq!(query(format!("active eq false and {mine}")).await, vec![carol.clone()]);
        assert_eq!(
            query(r#"(userName eq "alice@x.com" or userName eq "bob@x.com") and active eq true"#.into()).await,
            [alice.clone(), bob.clone()]
        );
        assert_eq!(query(format!(r#"not (externalId eq "e1") and {mine}"#)).await, [bob.clone(), carol.clone()]);
        let since = before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(
            query(format!(r#"meta.lastModified gt "{since}" and {mine}"#)).await,
            [alice.clone(), bob.clone(), carol.clone()]
        );
        assert_eq!(query(format!(r#"meta.lastModified gt "2999-01-01T00:00:00Z" and {mine}"#)).await, Vec::<String>::new());

        let page = format!("/Users?filter={}&startIndex=2&count=1", encode(mine));
        let reply = scim(&app, Method::GET, &page, &okta, None).await;
        assert_eq!((reply.body["totalResults"].clone(), reply.body["startIndex"].clone(), reply.body["itemsPerPage"].clone()), (json!(3), json!(2), json!(1)));
        assert_eq!(ids(&reply), vec![bob.clone()]);
        let none = format!("/Users?filter={}&count=0", encode(mine));
        let reply = scim(&app, Method::GET, &none, &okta, None).await;
        assert_eq!(reply.body["totalResults"], 3);
        assert_eq!(reply.body["Resources"], json!([]));

        let only = scim(&app, Method::GET, &format!("/Users/{alice}?attributes=userName,name.givenName"), &okta, None).await;
        assert_eq!(
            only.body,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": alice,
                "userName": "alice@x.com",
                "name": {"givenName": "G"},
            })
        );
        let without = scim(&app, Method::GET, &format!("/Users/{alice}?excludedAttributes=emails,meta"), &okta, None).await;
        assert_eq!(without.body.get("emails"), None);
        assert_eq!(without.body.get("meta"), None);
        assert_eq!(without.body["userName"], "alice@x.com");
        let searched = scim(
            &app,
            Method::POST,
            "/Users/.search",
            &okta,
            Some(&json!({"filter": "userName eq \"bob@x.com\"", "attributes": ["externalId"]})),
        )
        .await;
        assert_eq!(searched.body["Resources"], json!([{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": bob, "externalId": "e2"}]));

        let broken = scim(&app, Method::GET, &format!("/Users?filter={}", encode(r#"userName zz "a""#)), &okta, None).await;
        assert_scim_error(&broken, 400, Some("invalidFilter"), "`zz` is not an operator");
        let unknown = scim(&app, Method::GET, &format!("/Users?filter={}", encode(r#"title eq "x""#)), &okta, None).await;
        assert_scim_error(&unknown, 400, Some("invalidFilter"), "users cannot be filtered on title");
        let bad_date = scim(&app, Method::GET, &format!("/Users?filter={}", encode(r#"meta.lastModified gt "soon""#)), &okta, None).await;
        assert_scim_error(&bad_date, 400, Some("invalidFilter"), "filter: `soon` is not an RFC 3339 date");
        app
    })
    .await;
}

#[tokio::test]
async fn errors_are_scim_messages_and_versions_guard_writes() {
    on_each_backend(|app| async move {
        let okta = provider_key(&app, "okta", true).await;
        let jane = json!({
            "userName": "jane@example.com",
            "name": {"givenName": "Jane", "familyName": "Doe"},
            "emails": [{"value": "jane@example.com", "type": "work", "primary": true}],
        });
        let created = scim(&app, Method::POST, "/Users", &okta, Some(&jane)).await;
        let id = id_of(&created);
        let again = scim(&app, Method::POST, "/Users", &okta, Some(&jane)).await;
        assert_scim_error(
            &again,
            409,
            Some("uniqueness"),
            "user with email/username already exists",
        );
        let mut same_email = jane.clone();
        same_email["userName"] = json!("jane2");
        let taken = scim(&app, Method::POST, "/Users", &okta, Some(&same_email)).await;
        assert_scim_error(
            &taken,
            409,
            Some("uniqueness"),
            "user with email/username already exists",
        );
        let no_email = scim(
            &app,
            Method::POST,
            "/Users",
            &okta,
            Some(&json!({"userName": "x1"})),
        )
        .await;
        assert_scim_error(
            &no_email,
            400,
            Some("invalidValue"),
            "emails: a Roster user needs an email address",
        );
        let not_json = app
            .request_with(
                Method::POST,
                "/scim/v2/Users",
                &okta,
                Some("{"),
                &[("content-type", "application/scim+json")],
            )
            .await;
        assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
        assert_eq!(not_json.body["scimType"], "invalidSyntax");

        let mut renamed = jane.clone();
        renamed["name"]["familyName"] = json!("Smith");
        let stale = app
            .request_with(
                Method::PUT,
                &format!("/scim/v2/Users/{id}"),
                &okta,
                Some(&renamed.to_string()),
                &[
                    ("content-type", "application/scim+json"),
                    ("if-match", "\"stale\""),
                ],
            )
            .await;
        assert_scim_error(&stale, 412, None, "resource has changed");
        let version = created.body["meta"]["version"].as_str().unwrap().to_owned();
        let current = app
            .request_with(
                Method::PUT,
                &format!("/scim/v2/Users/{id}"),
                &okta,
                Some(&renamed.to_string()),
                &[
                    ("content-type", "application/scim+json"),
                    ("if-match", &version),
                ],
            )
            .await;
        assert_eq!(current.status, StatusCode::OK, "{}", current.body);
        assert_eq!(current.body["name"]["familyName"], "Smith");
        assert_ne!(current.body["meta"]["version"], json!(version));

        let id_change = json!({"Operations": [{"op": "replace", "path": "id", "value": "x"}]});
        let refused = scim(
            &app,
            Method::PATCH,
            &format!("/Users/{id}"),
            &okta,
            Some(&id_change),
        )
        .await;
        assert_scim_error(&refused, 400, Some("mutability"), "id cannot change");
        let nobody = scim(&app, Method::GET, "/Users/not-a-uuid", &okta, None).await;
        assert_scim_error(&nobody, 404, None, "user not found");
        app
    })
    .await;
}

#[tokio::test]
async fn a_provider_key_shows_its_requests_and_the_log_names_it() {
    on_each_backend(|app| async move {
        let okta = provider_key(&app, "okta", true).await;
        let body = json!({
            "userName": "logged@example.com",
            "name": {"givenName": "L", "familyName": "G"},
            "emails": [{"value": "logged@example.com"}],
        });
        let created = scim(&app, Method::POST, "/Users", &okta, Some(&body)).await;
        let id = id_of(&created);
        scim(&app, Method::GET, &format!("/Users/{id}"), &okta, None).await;
        app.core.settle().await;
        let admin = app.admin_principal().await;
        let keys = app.core.provisioning_keys(&admin).await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].provider, "okta");
        assert_eq!(keys[0].key.name, "okta");
        let permissions: Vec<&str> = keys[0]
            .key
            .admin_permissions
            .iter()
            .map(|p| p.as_str())
            .collect();
        assert_eq!(
            permissions,
            [
                "users.read",
                "users.create",
                "users.update",
                "users.delete",
                "roles.read",
                "roles.create",
                "roles.update",
                "roles.delete"
            ]
        );
        let requests: Vec<(String, String, u16)> = keys[0]
            .requests
            .iter()
            .map(|r| (r.method.clone(), r.path.clone(), r.status))
            .collect();
        assert_eq!(
            requests,
            [
                ("GET".to_owned(), format!("/scim/v2/Users/{id}"), 200),
                ("POST".to_owned(), "/scim/v2/Users".to_owned(), 201),
            ]
        );
        let admin_key = app.admin_key().await;
        let log = app
            .get(
                "/api/admin/activity?event=user:create&per_page=10",
                &admin_key,
            )
            .await;
        let row = &log.body["activities"]["data"][0];
        assert_eq!(row["credential"]["type"], "api_key", "{}", log.body);
        assert_eq!(row["credential"]["name"], "okta");
        assert_eq!(row["target"]["uuid"], json!(id));

        for _ in 0..55 {
            scim(&app, Method::GET, "/Users?count=1", &okta, None).await;
        }
        app.core.settle().await;
        let keys = app.core.provisioning_keys(&admin).await.unwrap();
        assert_eq!(keys[0].requests.len(), 50, "the last 50 are kept");

        // A key makes no keys.
        let by_key = roster::Principal {
            credential: roster::Credential::ApiKey {
                key_uuid: keys[0].key.uuid,
                name: "okta".into(),
                scope: roster::Permission::ALL.to_vec(),
            },
            ..admin.clone()
        };
        let refused = app
            .core
            .create_provisioning_key(&by_key, Label::parse("again".into()).unwrap(), true)
            .await;
        assert!(matches!(
            refused,
            Err(roster::CoreError::Refused(roster::Refusal::SessionRequired))
        ));
        app
    })
    .await;
}
