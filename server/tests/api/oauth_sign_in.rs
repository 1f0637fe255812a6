//! Signing in, and linking an account, through a real OpenID provider (npm's `oidc-provider`),
//! on every backend: PKCE, a state bound to the browser and used once, first-sign-in accounts,
//! claim mappings, and each refusal with its code for the sign-in page.

use crate::common;

use axum::http::{Method, StatusCode};
use common::oidc::{Idp, sign_in_at_provider};
use common::process::free_address;
use common::{Auth, Reply, TestApp, on_each_backend};
use serde_json::{Value, json};

const PUBLIC_URL: &str = "http://127.0.0.1:3000";

/// A provider in Roster and the real one it points at.
async fn configured(app: &TestApp, key: &Auth, change: impl FnOnce(&mut Value)) -> (String, Idp) {
    configured_as(app, key, "", change).await
}

/// A provider in Roster with its OpenID issuer, and the real one: `forged` names what that one
/// gets wrong in its ID tokens (see `end2end/oidc/provider.mjs`), or nothing.
async fn with_issuer(app: &TestApp, key: &Auth, forged: &str) -> (String, Idp) {
    configured_as(app, key, forged, |body| {
        let token_url = body["token_url"].as_str().unwrap().to_owned();
        body["issuer"] = json!(token_url.trim_end_matches("/token"));
    })
    .await
}

async fn configured_as(
    app: &TestApp,
    key: &Auth,
    forged: &str,
    change: impl FnOnce(&mut Value),
) -> (String, Idp) {
    let port = free_address().port();
    let issuer = format!("http://127.0.0.1:{port}");
    let mut body = json!({
        "name": format!("IdP {port}"), "enabled": true, "login_only": false,
        "login_bypass_two_factor": false, "link_viewable": true, "user_manageable": true,
        "basic_auth": true, "client_id": common::oidc::CLIENT_ID,
        "client_secret": common::oidc::CLIENT_SECRET,
        "auth_url": format!("{issuer}/auth"), "token_url": format!("{issuer}/token"),
        "info_url": format!("{issuer}/me"), "scopes": ["openid", "email", "profile"],
        "identifier_path": "$.sub", "email_path": "$.email", "username_path": "$.sub",
        "name_first_path": "$.given_name", "name_last_path": "$.family_name",
    });
    change(&mut body);
    let reply = app
        .post("/api/admin/oauth-providers", key, &body.to_string())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let uuid = reply.body["oauth_provider"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let idp = Idp::forging(port, &format!("{PUBLIC_URL}/api/auth/oauth/{uuid}"), forged);
    (uuid, idp)
}

fn header(reply: &Reply, name: &str) -> String {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The value of the cookie `name` that a reply sets.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// Leaves for the provider: where to, and the state the browser keeps.
async fn leave(app: &TestApp, provider: &str, auth: &Auth) -> (String, String) {
    let reply = app
        .get(&format!("/api/auth/oauth/redirect/{provider}"), auth)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    (
        header(&reply, "location"),
        set_cookie(&reply, "roster_oauth").expect("the state cookie"),
    )
}

async fn come_back(
    app: &TestApp,
    provider: &str,
    code: &str,
    state: &str,
    kept: Option<&str>,
    auth: &Auth,
) -> Reply {
    let path = format!("/api/auth/oauth/{provider}?code={code}&state={state}");
    let cookie = kept.map(|kept| format!("roster_oauth={kept}"));
    let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("cookie", c.as_str())).collect();
    app.request_with(Method::GET, &path, auth, None, &headers)
        .await
}

/// The whole round trip as `login`: leave, sign in at the provider, come back.
async fn round_trip(app: &TestApp, provider: &str, login: &str) -> Reply {
    let (location, kept) = leave(app, provider, &Auth::None).await;
    let (code, state) = sign_in_at_provider(&location, login).await;
    come_back(app, provider, &code, &state, Some(&kept), &Auth::None).await
}

#[tokio::test]
async fn a_first_sign_in_creates_the_user_and_the_next_finds_them() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let staff = app.role("staff", &["users.read"]).await;
        let (provider, _idp) = configured(&app, &key, |_| {}).await;
        let mapping = json!({
            "matcher": { "type": "field_contains", "path": "$.groups", "contains": "staff" },
            "mapping": { "type": "role", "role_uuid": staff, "revoke_unmatched": true },
        });
        let path = format!("/api/admin/oauth-providers/{provider}/mappings");
        assert_eq!(
            app.post(&path, &key, &mapping.to_string()).await.status,
            StatusCode::OK
        );

        // Leaving: PKCE and a state, bound to this browser by a cookie.
        let (location, kept) = leave(&app, &provider, &Auth::None).await;
        assert!(
            location.contains("code_challenge_method=S256"),
            "{location}"
        );
        assert!(location.contains(&format!("state={kept}")), "{location}");
        assert!(location.contains("nonce="), "{location}");
        let (code, state) = sign_in_at_provider(&location, "staff_ann").await;
        let reply = come_back(&app, &provider, &code, &state, Some(&kept), &Auth::None).await;
        assert_eq!(
            (reply.status, header(&reply, "location")),
            (StatusCode::SEE_OTHER, "/".to_owned())
        );
        let session = Auth::Session(set_cookie(&reply, "roster_session").expect("a session"));
        let account = app.get("/api/client/account", &session).await.body;
        let user = &account["user"];
        assert_eq!(
            (
                user["username"].clone(),
                user["email"].clone(),
                user["name_first"].clone(),
                user["name_last"].clone(),
                user["role"]["name"].clone()
            ),
            (
                json!("staff_ann"),
                json!("staff_ann@idp.example"),
                json!("Staff_ann"),
                json!("Provided"),
                json!("staff")
            )
        );
        let uuid = user["uuid"].as_str().unwrap().to_owned();
        // The identity is linked, and the sign-in is in the log with its provider.
        let lookup = format!("/api/admin/oauth-providers/{provider}/users/identifier/staff_ann");
        assert_eq!(
            app.get(&lookup, &key).await.body["user_oauth_link"]["user"]["uuid"],
            json!(uuid)
        );
        let rows = app
            .get("/api/admin/activity?event=auth:success", &key)
            .await
            .body;
        let row = &rows["activities"]["data"][0];
        assert_eq!(row["user"]["uuid"], json!(uuid));
        assert_eq!(row["data"]["using"], "oauth2");

        // The next sign-in finds the same user; nobody new is created.
        let before = app.get("/api/admin/users", &key).await.body["users"]["total"].clone();
        let again = round_trip(&app, &provider, "staff_ann").await;
        assert_eq!(header(&again, "location"), "/");
        assert_eq!(
            app.get("/api/admin/users", &key).await.body["users"]["total"],
            before
        );
        // Someone outside the group gets no role, and a name already taken is made unique.
        app.user("bob", false, None).await;
        let bob = round_trip(&app, &provider, "bob").await;
        let session = Auth::Session(set_cookie(&bob, "roster_session").expect("a session"));
        let account = app.get("/api/client/account", &session).await.body;
        assert_eq!(account["user"]["username"], "bob1");
        assert_eq!(account["user"]["role"], Value::Null);
        app
    })
    .await;
}

#[tokio::test]
async fn a_tampered_replayed_or_foreign_return_is_refused() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let (provider, _idp) = configured(&app, &key, |_| {}).await;
        let refused = |reply: &Reply, code: &str| {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
            assert_eq!(header(reply, "location"), format!("/sign-in?error={code}"));
            assert!(
                set_cookie(reply, "roster_session").is_none(),
                "a session was opened"
            );
        };
        let (location, kept) = leave(&app, &provider, &Auth::None).await;
        let (code, state) = sign_in_at_provider(&location, "carol").await;
        // Another browser (no cookie, or another attempt's), or a state changed on the way.
        refused(
            &come_back(&app, &provider, &code, &state, None, &Auth::None).await,
            "oauth_state",
        );
        let (_, other) = leave(&app, &provider, &Auth::None).await;
        refused(
            &come_back(&app, &provider, &code, &state, Some(&other), &Auth::None).await,
            "oauth_state",
        );
        // Those attempts spent nothing: the right browser still comes back, once.
        let first = come_back(&app, &provider, &code, &state, Some(&kept), &Auth::None).await;
        assert_eq!(header(&first, "location"), "/");
        refused(
            &come_back(&app, &provider, &code, &state, Some(&kept), &Auth::None).await,
            "oauth_state",
        );

        // A code the provider never gave.
        let (location, kept) = leave(&app, &provider, &Auth::None).await;
        let (_, state) = sign_in_at_provider(&location, "carol").await;
        refused(
            &come_back(&app, &provider, "forged", &state, Some(&kept), &Auth::None).await,
            "oauth_provider",
        );

        // A suspended user is refused at the door, and the refusal logged.
        let carol =
            app.get("/api/admin/users?search=carol", &key).await.body["users"]["data"][0]["uuid"]
                .as_str()
                .unwrap()
                .to_owned();
        app.patch(
            &format!("/api/admin/users/{carol}"),
            &key,
            r#"{"suspended": true}"#,
        )
        .await;
        refused(&round_trip(&app, &provider, "carol").await, "suspended");
        let rows = app
            .get(
                &format!("/api/admin/activity?event=auth:sign-in-failed&target={carol}"),
                &key,
            )
            .await
            .body;
        assert_eq!(rows["activities"]["data"][0]["data"]["using"], "oauth2");

        // A provider that creates nobody; then one disabled.
        let path = format!("/api/admin/oauth-providers/{provider}");
        app.patch(&path, &key, r#"{"login_only": true}"#).await;
        refused(
            &round_trip(&app, &provider, "dave").await,
            "registration_disabled",
        );
        app.patch(&path, &key, r#"{"enabled": false}"#).await;
        let reply = app
            .get(&format!("/api/auth/oauth/redirect/{provider}"), &Auth::None)
            .await;
        refused(&reply, "oauth_provider");
        let listed = app.get("/api/auth/oauth", &Auth::None).await.body;
        assert_eq!(listed, json!({ "oauth_providers": [] }));
        app
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_user_links_a_provider_that_allows_it() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let (provider, _idp) = configured(&app, &key, |_| {}).await;
        let listed = app.get("/api/auth/oauth", &Auth::None).await.body;
        assert_eq!(listed["oauth_providers"][0]["uuid"], json!(provider));
        let erin = app.user("erin", false, None).await;
        let session = app.session("erin").await;
        let (location, kept) = leave(&app, &provider, &session).await;
        let (code, state) = sign_in_at_provider(&location, "erin-at-idp").await;
        let reply = come_back(&app, &provider, &code, &state, Some(&kept), &session).await;
        assert_eq!(header(&reply, "location"), "/account?linked=1");
        let links = app
            .get(&format!("/api/admin/users/{}/oauth-links", erin.uuid), &key)
            .await
            .body;
        assert_eq!(links["oauth_links"]["data"][0]["identifier"], "erin-at-idp");
        // Signing in through it now is erin.
        let signed = round_trip(&app, &provider, "erin-at-idp").await;
        let session = Auth::Session(set_cookie(&signed, "roster_session").expect("a session"));
        assert_eq!(
            app.get("/api/client/account", &session).await.body["user"]["username"],
            "erin"
        );

        // A provider users may not link themselves.
        let (locked, _idp2) = configured(&app, &key, |body: &mut Value| {
            body["user_manageable"] = json!(false)
        })
        .await;
        let session = app.session("erin").await;
        let reply = app
            .get(&format!("/api/auth/oauth/redirect/{locked}"), &session)
            .await;
        assert_eq!(
            header(&reply, "location"),
            "/account?error=oauth_not_linkable"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_user_unlinks_a_provider_but_never_their_last_way_in() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let (provider, _idp) = configured(&app, &key, |_| {}).await;
        // Made by the provider: no password, one link.
        let first = round_trip(&app, &provider, "frank").await;
        let frank = Auth::Session(set_cookie(&first, "roster_session").expect("a session"));
        let links = app
            .get("/api/client/account/oauth-links", &frank)
            .await
            .body;
        assert_eq!(links["oauth_links"]["total"], 1, "{links}");
        let link = links["oauth_links"]["data"][0]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/client/account/oauth-links/{link}");
        app.delete(&path, &frank).await.assert_error(
            409,
            &["this is the only way you can sign in: set a password before you unlink it"],
        );
        // With a password set by an admin, the link can go; it goes for good.
        let uuid = app.get("/api/client/account", &frank).await.body["user"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        let reply = app
            .patch(
                &format!("/api/admin/users/{uuid}"),
                &key,
                r#"{"password": "a password of frank's"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let frank = round_trip(&app, &provider, "frank").await;
        let frank = Auth::Session(set_cookie(&frank, "roster_session").expect("a session"));
        assert_eq!(app.delete(&path, &frank).await.body, json!({}));
        app.delete(&path, &frank)
            .await
            .assert_error(404, &["oauth link not found"]);
        let rows = app
            .get("/api/admin/activity?event=oauth-link:delete", &key)
            .await
            .body;
        assert_eq!(rows["activities"]["data"][0]["user"]["uuid"], json!(uuid));
        // A key never unlinks; a hidden provider's links are not listed.
        let root = app.admin_principal().await;
        let keyed = Auth::Key(app.key_for(&root.user, &["users.read"]).await);
        app.delete(&path, &keyed).await.assert_error(
            403,
            &["this action needs a signed-in session, not an api key"],
        );
        app
    })
    .await;
}

#[tokio::test]
async fn an_issuers_id_token_must_pass_every_check() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let refused = |reply: &Reply, code: &str| {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
            assert_eq!(header(reply, "location"), format!("/sign-in?error={code}"));
            assert!(
                set_cookie(reply, "roster_session").is_none(),
                "a session was opened"
            );
        };
        let (provider, _idp) = with_issuer(&app, &key, "").await;
        let read = app
            .get(&format!("/api/admin/oauth-providers/{provider}"), &key)
            .await
            .body;
        assert!(
            read["oauth_provider"]["issuer"]
                .as_str()
                .is_some_and(|issuer| issuer.starts_with("http://127.0.0.1:")),
            "{read}"
        );
        // A token that passes: signed by the issuer's published key, for Roster, fresh, with
        // this sign-in's nonce.
        let reply = round_trip(&app, &provider, "erin").await;
        assert_eq!(header(&reply, "location"), "/", "{}", reply.body);

        // The nonce changed on the way to the provider: its token is for another sign-in.
        let (location, kept) = leave(&app, &provider, &Auth::None).await;
        let sent = location
            .split(['?', '&'])
            .find(|pair| pair.starts_with("nonce="))
            .expect("a nonce")
            .to_owned();
        let tampered = location.replace(&sent, "nonce=someone-elses");
        let (code, state) = sign_in_at_provider(&tampered, "erin").await;
        refused(
            &come_back(&app, &provider, &code, &state, Some(&kept), &Auth::None).await,
            "oauth_token",
        );

        // A token for another client, from another issuer, expired, or signed with a key the
        // issuer does not publish.
        for forged in ["audience", "issuer", "expired", "key"] {
            let (provider, _idp) = with_issuer(&app, &key, forged).await;
            let reply = round_trip(&app, &provider, "erin").await;
            assert_eq!(
                header(&reply, "location"),
                "/sign-in?error=oauth_token",
                "a token forged for its {forged} was taken"
            );
        }

        // Clearing the issuer trusts the userinfo alone, as Calagopus does.
        let (provider, _idp) = with_issuer(&app, &key, "audience").await;
        let path = format!("/api/admin/oauth-providers/{provider}");
        let cleared = app.patch(&path, &key, r#"{"issuer": null}"#).await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
        assert_eq!(
            app.get(&path, &key).await.body["oauth_provider"]["issuer"],
            Value::Null
        );
        assert_eq!(
            header(&round_trip(&app, &provider, "fay").await, "location"),
            "/"
        );

        // An issuer must be an address.
        app.patch(&path, &key, r#"{"issuer": "idp.example"}"#)
            .await
            .assert_error(400, &["issuer: must be an http or https URL"]);
        app
    })
    .await;
}

#[tokio::test]
async fn a_network_that_starts_too_many_sign_ins_waits() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let (provider, _idp) = configured(&app, &key, |_| {}).await;
        let path = format!("/api/auth/oauth/redirect/{provider}");
        let from = |address: &'static str| [("x-forwarded-for", address)];
        for _ in 0..50 {
            let reply = app
                .request_with(Method::GET, &path, &Auth::None, None, &from("203.0.113.5"))
                .await;
            assert!(
                set_cookie(&reply, "roster_oauth").is_some(),
                "{:?}",
                reply.headers
            );
        }
        let over = app
            .request_with(Method::GET, &path, &Auth::None, None, &from("203.0.113.5"))
            .await;
        assert_eq!(
            (over.status, header(&over, "location")),
            (
                StatusCode::SEE_OTHER,
                "/sign-in?error=oauth_throttled".to_owned()
            )
        );
        assert!(set_cookie(&over, "roster_oauth").is_none());
        // Coming back is counted too: a burst of forged returns waits as well.
        for _ in 0..50 {
            app.request_with(
                Method::GET,
                &format!("/api/auth/oauth/{provider}?code=x&state=y"),
                &Auth::None,
                None,
                &from("203.0.113.6"),
            )
            .await;
        }
        let over = app
            .request_with(
                Method::GET,
                &format!("/api/auth/oauth/{provider}?code=x&state=y"),
                &Auth::None,
                None,
                &from("203.0.113.6"),
            )
            .await;
        assert_eq!(header(&over, "location"), "/sign-in?error=oauth_throttled");
        // Another network is not held back by them.
        let other = app
            .request_with(Method::GET, &path, &Auth::None, None, &from("198.51.100.1"))
            .await;
        assert!(set_cookie(&other, "roster_oauth").is_some());
        app
    })
    .await;
}
