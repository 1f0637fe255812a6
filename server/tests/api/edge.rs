//! The HTTP edge: cross-site writes refused on both doors, JSON bodies only, security headers,
//! cookies and client addresses by the site settings.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp, TestOptions, on_each_backend, on_each_backend_with};
use roster_app::error::AppError;
use roster_app::site::Site;
use serde_json::{Value, json};

const CROSS_SITE: &str = "cross-site request refused";
const HOST: &str = "roster.test";

fn new_user(name: &str) -> String {
    json!({ "username": name, "email": format!("{name}@example.com"), "name_first": "Cr", "name_last": "Oss" })
        .to_string()
}

async fn total_users(app: &TestApp, admin: &Auth) -> Value {
    app.get("/api/admin/users?per_page=1", admin).await.body["users"]["total"].clone()
}

#[tokio::test]
async fn cross_site_writes_are_refused_on_both_doors_and_change_nothing() {
    on_each_backend(|app| async move {
        let admin = app.admin_key().await;
        app.user("boss", true, None).await;
        let session = app.session("boss").await;
        let before = total_users(&app, &admin).await;
        let attacks: [&[(&str, &str)]; 5] = [
            &[("origin", "https://evil.example"), ("content-type", "text/plain")],
            &[("origin", "https://evil.example")],
            // The right host over another scheme is another origin.
            &[("origin", "https://roster.test")],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site"), ("origin", "http://sibling.roster.test")],
        ];
        for headers in attacks {
            let mut headers = headers.to_vec();
            headers.push(("host", HOST));
            let reply = app
                .request_with(Method::POST, "/api/admin/users", &session, Some(&new_user("forged")), &headers)
                .await;
            reply.assert_error(403, &[CROSS_SITE]);
            let reply = app
                .request_with(Method::DELETE, "/api/client/account/sessions", &session, None, &headers)
                .await;
            reply.assert_error(403, &[CROSS_SITE]);
            let reply = app
                .request_with(
                    Method::POST,
                    "/_roster/users/create",
                    &session,
                    Some("form[username]=forged&form[email]=f%40example.com&form[name_first]=Fo&form[name_last]=Rged&form[admin]=on"),
                    &[headers.as_slice(), &[("content-type", "application/x-www-form-urlencoded")]].concat(),
                )
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN);
            assert_eq!(
                reply.body,
                serde_json::to_value(AppError::CrossSite).unwrap()
            );
            let login = app
                .request_with(
                    Method::POST,
                    "/api/auth/login",
                    &Auth::None,
                    Some(r#"{"user": "boss", "password": "correct horse battery"}"#),
                    &headers,
                )
                .await;
            login.assert_error(403, &[CROSS_SITE]);
            assert!(login.headers.get("set-cookie").is_none());
        }
        assert_eq!(total_users(&app, &admin).await, before);
        assert!(app.core.get_user_by_login(&roster::Principal::operator(), "forged").await.is_err());
        app
    })
    .await;
}

#[tokio::test]
async fn same_origin_browsers_and_clients_without_browser_headers_pass() {
    on_each_backend(|app| async move {
        app.user("boss", true, None).await;
        let session = app.session("boss").await;
        let same_origin: [&[(&str, &str)]; 3] = [
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://roster.test"),
            ],
            &[("origin", "http://roster.test")],
            &[("sec-fetch-site", "none")],
        ];
        for (i, headers) in same_origin.into_iter().enumerate() {
            let mut headers = headers.to_vec();
            headers.push(("host", HOST));
            let reply = app
                .request_with(
                    Method::POST,
                    "/api/admin/users",
                    &session,
                    Some(&new_user(&format!("same{i}"))),
                    &headers,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {}", reply.body);
        }
        let key = app.admin_key().await;
        let reply = app
            .post("/api/admin/users", &key, &new_user("scripted"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let read = app
            .request_with(
                Method::GET,
                "/api/client/account",
                &session,
                None,
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(
            read.status,
            StatusCode::OK,
            "reads are not refused: {}",
            read.body
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_public_url_is_an_own_origin_behind_a_proxy() {
    let options = TestOptions {
        site: Site::new(Some("https://roster.example.com"), Some("127.0.0.1")).unwrap(),
        ..TestOptions::default()
    };
    on_each_backend_with(options, |app| async move {
        let key = app.admin_key().await;
        let headers = [
            ("origin", "https://roster.example.com"),
            ("host", "10.0.0.5:3000"),
        ];
        let reply = app
            .request_with(
                Method::POST,
                "/api/admin/users",
                &key,
                Some(&new_user("proxied")),
                &headers,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app
    })
    .await;
}

#[tokio::test]
async fn rest_bodies_must_be_declared_json() {
    on_each_backend(|app| async move {
        let key = app.admin_key().await;
        let body = new_user("typed");
        let send = |content_type: Option<&'static str>| {
            let body = body.clone();
            let key = key.clone();
            let app = &app;
            async move {
                let headers: Vec<(&str, &str)> = match content_type {
                    Some(t) => vec![("content-type", t)],
                    None => vec![],
                };
                let mut request = axum::http::Request::builder()
                    .method(Method::POST)
                    .uri("/api/admin/users");
                if let Auth::Key(key) = &key {
                    request = request.header("authorization", format!("Bearer {key}"));
                }
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                let request = request.body(axum::body::Body::from(body)).unwrap();
                use tower::ServiceExt;
                let response = app.router.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap())
            }
        };
        assert_eq!(
            send(None).await,
            (
                StatusCode::BAD_REQUEST,
                json!({ "errors": ["invalid payload: missing content type header"] })
            )
        );
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            assert_eq!(
                send(Some(other)).await,
                (
                    StatusCode::BAD_REQUEST,
                    json!({ "errors": ["invalid payload: unsupported content type"] })
                ),
                "{other}"
            );
        }
        assert!(
            app.core
                .get_user_by_login(&roster::Principal::operator(), "typed")
                .await
                .is_err()
        );
        let (status, _) = send(Some("application/json; charset=utf-8")).await;
        assert_eq!(status, StatusCode::OK);
        app
    })
    .await;
}

#[track_caller]
fn assert_common_headers(reply: &common::Reply, what: &str) {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
    assert!(
        header("content-security-policy").contains("frame-ancestors 'none'"),
        "{what}"
    );
    assert_eq!(header("cache-control"), "no-store", "{what}");
    assert!(
        reply.headers.get("strict-transport-security").is_none(),
        "{what}: HSTS over http"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    on_each_backend(|app| async move {
        app.user("boss", true, None).await;
        let session = app.session("boss").await;
        let page = app.get("/", &session).await;
        assert_common_headers(&page, "/");
        let policy = page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("default-src 'self'"), "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a script nonce");
        let html = page.body.as_str().expect("an HTML page");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries the nonce"
        );
        assert!(
            !html.contains(" onchange=") && !html.contains(" onclick="),
            "no inline handlers"
        );
        let again = app.get("/", &session).await.headers["content-security-policy"].clone();
        assert_ne!(again.to_str().unwrap(), policy, "a new nonce per response");

        let account = app.get("/api/client/account", &session).await;
        assert_common_headers(&account, "/api/client/account");
        assert_eq!(
            account.headers["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
        let created = app
            .post(
                "/api/client/account/api-keys",
                &session,
                r#"{"name": "once"}"#,
            )
            .await;
        assert_eq!(created.status, StatusCode::OK);
        assert_common_headers(&created, "the key creation reply");
        let refused = app.get("/api/admin/users", &Auth::None).await;
        assert_common_headers(&refused, "a 401");
        app
    })
    .await;
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_and_hsts_is_on() {
    let options = TestOptions {
        site: Site::new(Some("https://roster.example.com"), None).unwrap(),
        ..TestOptions::default()
    };
    on_each_backend_with(options, |app| async move {
        app.user("boss", true, None).await;
        let reply = app
            .post(
                "/api/auth/login",
                &Auth::None,
                r#"{"user": "boss", "password": "correct horse battery"}"#,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let cookie = reply.headers["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-roster_session="), "{cookie}");
        assert!(
            cookie.contains("Secure") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        assert_eq!(
            reply.headers["strict-transport-security"],
            "max-age=31536000"
        );
        let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        let planted = app
            .request_with(
                Method::GET,
                "/api/client/account",
                &Auth::None,
                None,
                &[("cookie", &format!("roster_session={token}"))],
            )
            .await;
        planted.assert_error(401, &["missing authorization"]);
        let real = app
            .request_with(
                Method::GET,
                "/api/client/account",
                &Auth::None,
                None,
                &[("cookie", &format!("__Host-roster_session={token}"))],
            )
            .await;
        assert_eq!(real.status, StatusCode::OK);
        app
    })
    .await;
}

#[tokio::test]
async fn sessions_record_the_client_address_only_a_trusted_proxy_forwards() {
    let untrusting = TestOptions {
        site: Site::default(),
        ..TestOptions::default()
    };
    for (options, expected) in [
        (TestOptions::default(), "198.51.100.7"),
        (untrusting, "127.0.0.1"),
    ] {
        on_each_backend_with(options, move |app| async move {
            app.user("traveller", false, None).await;
            let forwarded = [("x-forwarded-for", "198.51.100.7")];
            assert_eq!(signed_in_address(&app, &forwarded).await, expected);
            app
        })
        .await;
    }
}

async fn signed_in_address(app: &TestApp, forwarded: &[(&str, &str)]) -> Value {
    let reply = app
        .request_with(
            Method::POST,
            "/api/auth/login",
            &Auth::None,
            Some(r#"{"user": "traveller", "password": "correct horse battery"}"#),
            forwarded,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply.headers["set-cookie"].to_str().unwrap();
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let list = app
        .get(
            "/api/client/account/sessions?per_page=1",
            &Auth::Session(token.to_owned()),
        )
        .await;
    list.body["sessions"]["data"][0]["ip"].clone()
}

#[tokio::test]
async fn every_forwarded_line_is_read_in_order_and_ports_are_dropped() {
    on_each_backend(|app| async move {
        app.user("traveller", false, None).await;
        let two_lines = [
            ("x-forwarded-for", "198.51.100.7"),
            ("x-forwarded-for", "203.0.113.9, 127.0.0.1"),
        ];
        assert_eq!(signed_in_address(&app, &two_lines).await, "203.0.113.9");
        let with_port = [("x-forwarded-for", "203.0.113.9:51234")];
        assert_eq!(signed_in_address(&app, &with_port).await, "203.0.113.9");
        let v6_with_port = [("x-forwarded-for", "[2001:db8::7]:443")];
        assert_eq!(signed_in_address(&app, &v6_with_port).await, "2001:db8::7");
        app
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_forwarded_hop_is_refused_not_blamed_on_the_proxy() {
    on_each_backend(|app| async move {
        app.user("traveller", false, None).await;
        for chain in [
            "unknown",
            "198.51.100.7, not-an-address",
            "203.0.113.9:port",
        ] {
            app.request_with(
                Method::POST,
                "/api/auth/login",
                &Auth::None,
                Some(r#"{"user": "traveller", "password": "wrong"}"#),
                &[("x-forwarded-for", chain)],
            )
            .await
            .assert_error(400, &["x-forwarded-for holds a hop that is not an address"]);
        }
        app
    })
    .await;
}

#[tokio::test]
async fn failures_behind_a_port_do_not_lock_everyone_out() {
    on_each_backend(|app| async move {
        app.user("traveller", false, None).await;
        for i in 0..51 {
            let body = format!(r#"{{"user": "nobody{i}", "password": "guess"}}"#);
            let reply = app
                .request_with(
                    Method::POST,
                    "/api/auth/login",
                    &Auth::None,
                    Some(&body),
                    &[("x-forwarded-for", "203.0.113.9:51234")],
                )
                .await;
            assert!(
                matches!(reply.status.as_u16(), 401 | 429),
                "{}",
                reply.status
            );
        }
        let elsewhere = [("x-forwarded-for", "198.51.100.1:40000")];
        assert_eq!(signed_in_address(&app, &elsewhere).await, "198.51.100.1");
        app
    })
    .await;
}
