//! Authority never widens: no caller creates, changes, assigns or removes authority it does not
//! hold itself, whether it acts by session or by a narrower key, as a global or a role admin.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp, on_each_backend};
use serde_json::{Value, json};

const USERS_ALL: &[&str] = &[
    "users.read",
    "users.create",
    "users.update",
    "users.delete",
    "users.email",
    "users.disable-two-factor",
    "users.activity",
    "users.impersonate",
    "users.oauth-links",
];
const ROLES_ALL: &[&str] = &["roles.read", "roles.create", "roles.update", "roles.delete"];
/// The role of the role-admin target: a subset of `users.*`.
const HELPDESK: &[&str] = &["users.read", "users.update"];

const SESSION_REQUIRED: &str = "this action needs a signed-in session, not an api key";
const GRANT_ADMIN: &str = "only global admins can grant admin rights";
const ASSIGN_ROLE: &str = "only global admins can assign roles";
const MODIFY_ADMIN: &str = "only global admins can modify or delete an admin";
const OTHERS_SECRET: &str = "only global admins can change another user's email or password";

fn missing(permission: &str) -> String {
    format!("you do not have permission to perform this action: {permission}")
}

fn all_permissions() -> Vec<&'static str> {
    roster::Permission::ALL.iter().map(|p| p.as_str()).collect()
}

/// What a cell of the matrix expects: success, or the exact error.
#[derive(Clone, Debug)]
enum Expect {
    Ok,
    Denied(u16, String),
}

fn forbidden(message: &str) -> Expect {
    Expect::Denied(403, message.to_owned())
}

fn lacks(permission: &str) -> Expect {
    Expect::Denied(403, missing(permission))
}

/// The callers of the matrix, each on a user of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    GlobalSession,
    GlobalKeyUsersCreate,
    GlobalKeyUsersAll,
    GlobalKeyEverything,
    RoleAdminUsers,
    RoleAdminRoles,
}

const CALLERS: [Caller; 6] = [
    Caller::GlobalSession,
    Caller::GlobalKeyUsersCreate,
    Caller::GlobalKeyUsersAll,
    Caller::GlobalKeyEverything,
    Caller::RoleAdminUsers,
    Caller::RoleAdminRoles,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    CreateAdmin,
    CreateWithRole,
    Promote,
    Demote,
    EmailOfPlain,
    PasswordOfPlain,
    EmailOfRoleAdmin,
    PasswordOfRoleAdmin,
    EmailOfGlobalAdmin,
    PasswordOfGlobalAdmin,
    DeletePlain,
    DeleteRoleAdmin,
    DeleteGlobalAdmin,
    CreateWideRole,
    UpdateWideRole,
    DeleteWideRole,
    CreateKey,
    RevokeKey,
}

const ACTIONS: [Action; 18] = [
    Action::CreateAdmin,
    Action::CreateWithRole,
    Action::Promote,
    Action::Demote,
    Action::EmailOfPlain,
    Action::PasswordOfPlain,
    Action::EmailOfRoleAdmin,
    Action::PasswordOfRoleAdmin,
    Action::EmailOfGlobalAdmin,
    Action::PasswordOfGlobalAdmin,
    Action::DeletePlain,
    Action::DeleteRoleAdmin,
    Action::DeleteGlobalAdmin,
    Action::CreateWideRole,
    Action::UpdateWideRole,
    Action::DeleteWideRole,
    Action::CreateKey,
    Action::RevokeKey,
];

/// The whole matrix, cell by cell.
fn expected(caller: Caller, action: Action) -> Expect {
    use Action::*;
    use Caller::*;
    match caller {
        GlobalSession | GlobalKeyEverything => match action {
            CreateKey | RevokeKey if caller == GlobalKeyEverything => forbidden(SESSION_REQUIRED),
            _ => Expect::Ok,
        },
        GlobalKeyUsersCreate => match action {
            CreateAdmin | CreateWithRole => lacks("users.read"),
            CreateWideRole => lacks("roles.create"),
            UpdateWideRole => lacks("roles.update"),
            DeleteWideRole => lacks("roles.delete"),
            CreateKey | RevokeKey => forbidden(SESSION_REQUIRED),
            _ => lacks("users.read"),
        },
        GlobalKeyUsersAll => match action {
            CreateWithRole | EmailOfPlain | PasswordOfPlain | EmailOfRoleAdmin
            | PasswordOfRoleAdmin | DeletePlain | DeleteRoleAdmin => Expect::Ok,
            CreateAdmin
            | Promote
            | Demote
            | EmailOfGlobalAdmin
            | PasswordOfGlobalAdmin
            | DeleteGlobalAdmin => lacks("roles.read"),
            CreateWideRole => lacks("roles.create"),
            UpdateWideRole => lacks("roles.update"),
            DeleteWideRole => lacks("roles.delete"),
            CreateKey | RevokeKey => forbidden(SESSION_REQUIRED),
        },
        RoleAdminUsers => match action {
            CreateAdmin | Promote => forbidden(GRANT_ADMIN),
            CreateWithRole => forbidden(ASSIGN_ROLE),
            Demote | EmailOfGlobalAdmin | PasswordOfGlobalAdmin | DeleteGlobalAdmin => {
                forbidden(MODIFY_ADMIN)
            }
            EmailOfPlain | PasswordOfPlain | EmailOfRoleAdmin | PasswordOfRoleAdmin => {
                forbidden(OTHERS_SECRET)
            }
            DeletePlain | DeleteRoleAdmin | CreateKey | RevokeKey => Expect::Ok,
            CreateWideRole => lacks("roles.create"),
            UpdateWideRole => lacks("roles.update"),
            DeleteWideRole => lacks("roles.delete"),
        },
        RoleAdminRoles => match action {
            CreateAdmin | CreateWithRole => lacks("users.create"),
            CreateWideRole | UpdateWideRole | DeleteWideRole => lacks("users.read"),
            CreateKey | RevokeKey => Expect::Ok,
            _ => lacks("users.read"),
        },
    }
}

/// The callers' credentials and the roles the actions use.
struct Cast {
    auth: Vec<(Caller, Auth, roster::domain::user::User)>,
    helpdesk: uuid::Uuid,
}

async fn cast(app: &TestApp) -> Cast {
    let helpdesk = app.role("helpdesk", HELPDESK).await;
    let user_admins = app.role("user admins", USERS_ALL).await;
    let role_admins = app.role("role admins", ROLES_ALL).await;
    let global = app.user("global", true, None).await;
    let ra_users = app.user("ra_users", false, Some(user_admins)).await;
    let ra_roles = app.user("ra_roles", false, Some(role_admins)).await;
    let everything = all_permissions();
    let auth = vec![
        (
            Caller::GlobalSession,
            app.session("global").await,
            global.clone(),
        ),
        (
            Caller::GlobalKeyUsersCreate,
            Auth::Key(app.key_for(&global, &["users.create"]).await),
            global.clone(),
        ),
        (
            Caller::GlobalKeyUsersAll,
            Auth::Key(app.key_for(&global, USERS_ALL).await),
            global.clone(),
        ),
        (
            Caller::GlobalKeyEverything,
            Auth::Key(app.key_for(&global, &everything).await),
            global.clone(),
        ),
        (
            Caller::RoleAdminUsers,
            app.session("ra_users").await,
            ra_users,
        ),
        (
            Caller::RoleAdminRoles,
            app.session("ra_roles").await,
            ra_roles,
        ),
    ];
    Cast { auth, helpdesk }
}

/// Fresh targets for one cell, so that every cell starts from the same state.
struct Targets {
    plain: String,
    role_admin: String,
    global_admin: String,
    wide_role: String,
    own_key: String,
}

async fn targets(
    app: &TestApp,
    n: usize,
    owner: &roster::domain::user::User,
    helpdesk: uuid::Uuid,
) -> Targets {
    let plain = app.user(&format!("plain{n}"), false, None).await;
    let role_admin = app.user(&format!("helper{n}"), false, Some(helpdesk)).await;
    let global_admin = app.user(&format!("chief{n}"), true, None).await;
    let wide_role = app.role(&format!("wide{n}"), &all_permissions()).await;
    let own_key = {
        let key = app.key_for(owner, &[]).await;
        let start = &key[..16];
        let principal = roster::Principal {
            user: owner.clone(),
            credential: roster::Credential::Session {
                session_uuid: uuid::Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        };
        app.core
            .list_api_keys(&principal, roster::domain::page::ListQuery::largest())
            .await
            .expect("keys list")
            .data
            .into_iter()
            .find(|k| k.key_start == start)
            .expect("the key just made")
            .uuid
            .to_string()
    };
    Targets {
        plain: plain.uuid.to_string(),
        role_admin: role_admin.uuid.to_string(),
        global_admin: global_admin.uuid.to_string(),
        wide_role: wide_role.to_string(),
        own_key,
    }
}

fn request(
    action: Action,
    n: usize,
    t: &Targets,
    helpdesk: &str,
) -> (Method, String, Option<Value>) {
    let user = |uuid: &str| format!("/api/admin/users/{uuid}");
    let new_user = |extra: Value| {
        let mut body = json!({
            "username": format!("made{n}"), "email": format!("made{n}@example.com"),
            "name_first": "Ma", "name_last": "De", "password": "a new password",
        });
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        body
    };
    let email = json!({ "email": format!("changed{n}@example.com") });
    let password = json!({ "password": "stolen password" });
    match action {
        Action::CreateAdmin => (
            Method::POST,
            "/api/admin/users".into(),
            Some(new_user(json!({ "admin": true }))),
        ),
        Action::CreateWithRole => (
            Method::POST,
            "/api/admin/users".into(),
            Some(new_user(json!({ "role_uuid": helpdesk }))),
        ),
        Action::Promote => (
            Method::PATCH,
            user(&t.plain),
            Some(json!({ "admin": true })),
        ),
        Action::Demote => (
            Method::PATCH,
            user(&t.global_admin),
            Some(json!({ "admin": false })),
        ),
        Action::EmailOfPlain => (Method::PATCH, user(&t.plain), Some(email)),
        Action::PasswordOfPlain => (Method::PATCH, user(&t.plain), Some(password)),
        Action::EmailOfRoleAdmin => (Method::PATCH, user(&t.role_admin), Some(email)),
        Action::PasswordOfRoleAdmin => (Method::PATCH, user(&t.role_admin), Some(password)),
        Action::EmailOfGlobalAdmin => (Method::PATCH, user(&t.global_admin), Some(email)),
        Action::PasswordOfGlobalAdmin => (Method::PATCH, user(&t.global_admin), Some(password)),
        Action::DeletePlain => (Method::DELETE, user(&t.plain), None),
        Action::DeleteRoleAdmin => (Method::DELETE, user(&t.role_admin), None),
        Action::DeleteGlobalAdmin => (Method::DELETE, user(&t.global_admin), None),
        Action::CreateWideRole => (
            Method::POST,
            "/api/admin/roles".into(),
            Some(
                json!({ "name": format!("made role {n}"), "admin_permissions": all_permissions() }),
            ),
        ),
        Action::UpdateWideRole => (
            Method::PATCH,
            format!("/api/admin/roles/{}", t.wide_role),
            Some(json!({ "description": "widened" })),
        ),
        Action::DeleteWideRole => (
            Method::DELETE,
            format!("/api/admin/roles/{}", t.wide_role),
            None,
        ),
        Action::CreateKey => (
            Method::POST,
            "/api/client/account/api-keys".into(),
            Some(json!({ "name": format!("minted{n}") })),
        ),
        Action::RevokeKey => (
            Method::DELETE,
            format!("/api/client/account/api-keys/{}", t.own_key),
            None,
        ),
    }
}

/// A snapshot of everything a cell can change, to prove a refused request changed nothing.
async fn snapshot(
    app: &TestApp,
    admin: &Auth,
    t: &Targets,
    owner: &roster::domain::user::User,
) -> Value {
    let mut seen = Vec::new();
    for path in [
        "/api/admin/users?per_page=1".to_owned(),
        "/api/admin/roles?per_page=1".to_owned(),
        format!("/api/admin/users/{}", t.plain),
        format!("/api/admin/users/{}", t.role_admin),
        format!("/api/admin/users/{}", t.global_admin),
        format!("/api/admin/roles/{}", t.wide_role),
    ] {
        seen.push(app.get(&path, admin).await.body);
    }
    let principal = roster::Principal {
        user: owner.clone(),
        credential: roster::Credential::Session {
            session_uuid: uuid::Uuid::new_v4(),
        },
        ip: None,
        idempotency: None,
        impersonator: None,
    };
    let keys = app
        .core
        .list_api_keys(&principal, roster::domain::page::ListQuery::largest())
        .await
        .expect("keys list");
    seen.push(json!(keys.total));
    Value::Array(seen)
}

#[tokio::test]
async fn the_escalation_matrix_holds_for_every_caller_and_action() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let cast = cast(&app).await;
        let mut n = 0;
        for (caller, auth, owner) in &cast.auth {
            for action in ACTIONS {
                n += 1;
                let t = targets(&app, n, owner, cast.helpdesk).await;
                let (method, path, body) = request(action, n, &t, &cast.helpdesk.to_string());
                let before = snapshot(&app, &admin, &t, owner).await;
                let body = body.map(|b| b.to_string());
                let reply = app.request(method, &path, auth, body.as_deref()).await;
                let cell = format!("{caller:?} × {action:?} on {}", app.backend);
                match expected(*caller, action) {
                    Expect::Ok => {
                        assert_eq!(reply.status, StatusCode::OK, "{cell}: {}", reply.body)
                    }
                    Expect::Denied(status, message) => {
                        assert_eq!(reply.status.as_u16(), status, "{cell}: {}", reply.body);
                        assert_eq!(reply.body, json!({ "errors": [message] }), "{cell}");
                        let after = snapshot(&app, &admin, &t, owner).await;
                        assert_eq!(after, before, "{cell} changed data");
                    }
                }
            }
        }
        assert_eq!(n, CALLERS.len() * ACTIONS.len());
        app
    })
    .await;
}

#[tokio::test]
async fn a_key_scoped_to_users_create_cannot_mint_a_global_admin() {
    on_each_backend(|app| async move {
        let admin = app.admin_principal().await.user;
        let key = Auth::Key(app.key_for(&admin, &["users.create"]).await);
        let body = json!({
            "username": "evil", "email": "evil@example.com", "name_first": "Ev",
            "name_last": "Vil", "admin": true, "password": "evilpassword1",
        });
        app.post("/api/admin/users", &key, &body.to_string())
            .await
            .assert_error(403, &[&missing("users.read")]);
        app.post(
            "/api/auth/login",
            &Auth::None,
            r#"{"user": "evil", "password": "evilpassword1"}"#,
        )
        .await
        .assert_error(401, &["invalid username or password"]);
        let plain = json!({
            "username": "fine", "email": "fine@example.com", "name_first": "Fi", "name_last": "Ne",
        });
        let reply = app.post("/api/admin/users", &key, &plain.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["user"]["admin"], false);
        app
    })
    .await;
}

#[tokio::test]
async fn a_users_key_cannot_take_over_its_own_global_admin_owner() {
    on_each_backend(|app| async move {
        let owner = app.user("owner", true, None).await;
        let key = Auth::Key(app.key_for(&owner, USERS_ALL).await);
        let path = format!("/api/admin/users/{}", owner.uuid);
        app.patch(&path, &key, r#"{"password": "taken over password"}"#)
            .await
            .assert_error(403, &[&missing("roles.read")]);
        app.session_from("owner", common::PASSWORD, "browser").await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_role_admin_cannot_touch_a_role_admin_holding_more() {
    on_each_backend(|app| async move {
        let users = app.role("user admins", USERS_ALL).await;
        let auditors = app.role("auditors", &["users.read", "roles.read"]).await;
        app.user("ra_users", false, Some(users)).await;
        let auditor = app.user("auditor", false, Some(auditors)).await;
        let peer = app.user("peer", false, Some(users)).await;
        let session = app.session("ra_users").await;
        let path = format!("/api/admin/users/{}", auditor.uuid);
        app.patch(&path, &session, r#"{"name_first": "Renamed"}"#)
            .await
            .assert_error(403, &[&missing("roles.read")]);
        app.delete(&path, &session)
            .await
            .assert_error(403, &[&missing("roles.read")]);
        let reply = app
            .patch(
                &format!("/api/admin/users/{}", peer.uuid),
                &session,
                r#"{"name_first": "Peer"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app
    })
    .await;
}

#[tokio::test]
async fn a_role_admin_manages_roles_within_what_they_hold() {
    on_each_backend(|app| async move {
        let role_admins = app.role("role admins", ROLES_ALL).await;
        app.user("keeper", false, Some(role_admins)).await;
        let session = app.session("keeper").await;
        let reply = app
            .post(
                "/api/admin/roles",
                &session,
                r#"{"name": "readers", "admin_permissions": ["roles.read"]}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let readers = reply.body["role"]["uuid"].as_str().unwrap().to_owned();
        let path = format!("/api/admin/roles/{readers}");
        let reply = app
            .patch(
                &path,
                &session,
                r#"{"admin_permissions": ["roles.read", "roles.update"]}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.patch(
            &path,
            &session,
            r#"{"admin_permissions": ["servers.read"]}"#,
        )
        .await
        .assert_error(403, &[&missing("servers.read")]);
        let reply = app.delete(&path, &session).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!({})));
        app
    })
    .await;
}

#[tokio::test]
async fn the_billing_flow_works_with_a_users_key() {
    on_each_backend(|app| async move {
        let admin = app.admin_principal().await.user;
        let key = Auth::Key(app.key_for(&admin, USERS_ALL).await);
        app.get("/api/admin/users/external/whmcs-42", &key)
            .await
            .assert_error(404, &["user not found"]);
        let customer = json!({
            "username": "customer42", "email": "customer42@example.com",
            "name_first": "Cus", "name_last": "Tomer", "admin": false, "send_email": true,
        });
        let reply = app.post("/api/admin/users", &key, &customer.to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["user"]["has_password"], false);
        app.post("/api/admin/users", &key, &customer.to_string())
            .await
            .assert_error(409, &["user with email/username already exists"]);
        let found = app
            .get("/api/admin/users?search=customer42%40example.com", &key)
            .await;
        assert_eq!(found.body["users"]["total"], 1, "{}", found.body);
        let uuid = found.body["users"]["data"][0]["uuid"].as_str().unwrap().to_owned();
        let reply = app
            .patch(
                &format!("/api/admin/users/{uuid}"),
                &key,
                r#"{"external_id": "whmcs-42", "email": "billing42@example.com", "password": "customer password"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = app.get("/api/admin/users/external/whmcs-42", &key).await;
        assert_eq!(reply.body["user"]["uuid"], uuid.as_str());
        assert_eq!(reply.body["user"]["email"], "billing42@example.com");
        assert_eq!(reply.body["user"]["has_password"], true);
        app
    })
    .await;
}

#[tokio::test]
async fn the_last_global_admin_cannot_be_removed_and_nobody_deletes_themselves() {
    on_each_backend(|app| async move {
        let first = app.user("first", true, None).await;
        let second = app.user("second", true, None).await;
        let first_session = app.session("first").await;
        let first_path = format!("/api/admin/users/{}", first.uuid);
        app.delete(&first_path, &first_session)
            .await
            .assert_error(400, &["cannot delete your own account"]);
        let reply = app
            .patch(
                &format!("/api/admin/users/{}", second.uuid),
                &first_session,
                r#"{"admin": false}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.patch(&first_path, &first_session, r#"{"admin": false}"#)
            .await
            .assert_error(400, &["cannot remove the last global admin"]);
        let key = Auth::Key(app.key_for(&first, &all_permissions()).await);
        app.delete(&first_path, &key)
            .await
            .assert_error(400, &["cannot delete your own account"]);
        assert_eq!(app.core.count_global_admins().await.unwrap(), 1);
        app
    })
    .await;
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    on_each_backend(|app| async move {
        let a = app.user("alpha", true, None).await;
        let b = app.user("bravo", true, None).await;
        let a_session = app.session("alpha").await;
        let b_session = app.session("bravo").await;
        for round in 0..5 {
            let a_path = format!("/api/admin/users/{}", a.uuid);
            let b_path = format!("/api/admin/users/{}", b.uuid);
            let (one, two) = tokio::join!(
                app.patch(&b_path, &a_session, r#"{"admin": false}"#),
                app.patch(&a_path, &b_session, r#"{"admin": false}"#),
            );
            let statuses = [one.status.as_u16(), two.status.as_u16()];
            assert_eq!(
                statuses.iter().filter(|s| **s == 200).count(),
                1,
                "round {round}: {} / {}",
                one.body,
                two.body
            );
            for reply in [&one, &two]
                .into_iter()
                .filter(|r| r.status != StatusCode::OK)
            {
                assert!(
                    reply.body == json!({ "errors": ["cannot remove the last global admin"] })
                        || reply.body == json!({ "errors": ["unauthorized"] }),
                    "round {round}: {}",
                    reply.body
                );
            }
            assert_eq!(app.core.count_global_admins().await.unwrap(), 1);
            let (winner, demoted) = if one.status == StatusCode::OK {
                (&a_session, &b_path)
            } else {
                (&b_session, &a_path)
            };
            let reply = app.patch(demoted, winner, r#"{"admin": true}"#).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        app
    })
    .await;
}

#[tokio::test]
async fn concurrent_role_changes_to_different_fields_both_persist() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        for round in 0..5 {
            let role = app.role(&format!("racing {round}"), &["users.read"]).await;
            let path = format!("/api/admin/roles/{role}");
            let description = format!("round {round}");
            let described = json!({ "description": description }).to_string();
            let (one, two) = tokio::join!(
                app.patch(
                    &path,
                    &admin,
                    r#"{"admin_permissions": ["users.read", "roles.read"]}"#
                ),
                app.patch(&path, &admin, &described),
            );
            assert_eq!((one.status, two.status), (StatusCode::OK, StatusCode::OK));
            let role = app.get(&path, &admin).await.body;
            assert_eq!(
                role["role"]["admin_permissions"],
                json!(["users.read", "roles.read"])
            );
            assert_eq!(role["role"]["description"], description.as_str());
        }
        app
    })
    .await;
}

#[tokio::test]
async fn concurrent_server_changes_to_different_fields_both_persist() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        let first = app.user("first_owner", false, None).await;
        let second = app.user("second_owner", false, None).await;
        for round in 0..5 {
            let body = json!({ "name": "racing", "owner_uuid": first.uuid }).to_string();
            let server = app.post("/api/admin/servers", &admin, &body).await.body["server"]["uuid"]
                .as_str()
                .unwrap()
                .to_owned();
            let path = format!("/api/admin/servers/{server}");
            let name = format!("renamed {round}");
            let renamed = json!({ "name": name }).to_string();
            let transferred = json!({ "owner_uuid": second.uuid }).to_string();
            let (one, two) = tokio::join!(
                app.patch(&path, &admin, &renamed),
                app.patch(&path, &admin, &transferred),
            );
            assert_eq!((one.status, two.status), (StatusCode::OK, StatusCode::OK));
            let server = app.get(&path, &admin).await.body;
            assert_eq!(server["server"]["name"], name.as_str());
            assert_eq!(server["server"]["owner_uuid"], second.uuid.to_string());
        }
        app
    })
    .await;
}
