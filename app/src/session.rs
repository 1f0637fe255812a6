//! How an HTTP request carries credentials, shared by the REST API and the server functions.

use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};
use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use roster::services::{ClientInfo, Credentials};

pub const SESSION_COOKIE: &str = "roster_session";

/// Reads the `Authorization` header and the session cookie from request headers.
pub fn credentials(headers: &HeaderMap) -> Credentials {
    let authorization = headers
        .get(AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let session_token = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned());
    Credentials {
        authorization,
        session_token,
    }
}

/// Where a request came from, kept with a new session: the peer's address as the socket saw it
/// and the browser's user agent.
pub fn client_info(parts: &http::request::Parts) -> ClientInfo {
    let ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    ClientInfo { ip, user_agent }
}

/// Whether the client reached us over https (directly or through a proxy that says so).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that opens a session.
pub fn session_cookie(token: &str, expires: DateTime<Utc>, secure: bool) -> String {
    let max_age = (expires - Utc::now()).num_seconds().max(0);
    Cookie::build((SESSION_COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn cleared_cookie(secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; roster_session=tok; b=2"),
        );
        assert_eq!(credentials(&headers).session_token.as_deref(), Some("tok"));
        assert!(credentials(&headers).authorization.is_none());
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax() {
        let cookie = session_cookie("tok", Utc::now() + chrono::Duration::days(1), false);
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"));
        assert!(session_cookie("tok", Utc::now(), true).contains("Secure"));
    }
}
