//! How an HTTP request carries credentials and where it came from, shared by the REST API and
//! the server functions.

use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};
use http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use roster::services::{ClientInfo, Credentials};

use crate::site::{ClientAddr, Site};

/// Calagopus' header for acting as another user: the uuid of that user.
pub const ACT_AS_HEADER: &str = "calagopus-user";

/// Reads the `Authorization` header, the session cookie and `Calagopus-User` of a request, with
/// the client address the edge worked out. Over https only the `__Host-` cookie counts, so one
/// planted by a sibling subdomain is never read.
pub fn credentials(parts: &http::request::Parts, site: &Site) -> Credentials {
    let headers = &parts.headers;
    let authorization = headers
        .get(AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let session_token = cookie_value(parts, site.session_cookie_name());
    let act_as = headers
        .get(ACT_AS_HEADER)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    Credentials {
        authorization,
        session_token,
        ip: client_address(parts),
        act_as,
    }
}

fn cookie_value(parts: &http::request::Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The challenge token of a console sign-in waiting for its code.
pub fn challenge_token(parts: &http::request::Parts, site: &Site) -> Option<String> {
    cookie_value(parts, site.challenge_cookie_name()).filter(|token| !token.is_empty())
}

/// The `Set-Cookie` value that carries a challenge token to the code step, for as long as the
/// challenge lives.
pub fn challenge_cookie(token: &str, site: &Site) -> String {
    let max_age = cookie::time::Duration::minutes(roster::services::CHALLENGE_MINUTES);
    named_cookie(site.challenge_cookie_name(), site, token, max_age)
}

/// The `Set-Cookie` value that forgets a challenge token.
pub fn cleared_challenge_cookie(site: &Site) -> String {
    named_cookie(
        site.challenge_cookie_name(),
        site,
        "",
        cookie::time::Duration::ZERO,
    )
}

/// The `state` of a sign-in through a provider, as this browser kept it.
pub fn oauth_state(parts: &http::request::Parts, site: &Site) -> Option<String> {
    cookie_value(parts, site.oauth_state_cookie_name()).filter(|state| !state.is_empty())
}

/// The `Set-Cookie` value that keeps a provider sign-in's `state` for ten minutes.
pub fn oauth_state_cookie(state: &str, site: &Site) -> String {
    named_cookie(
        site.oauth_state_cookie_name(),
        site,
        state,
        cookie::time::Duration::minutes(10),
    )
}

/// The `Set-Cookie` value that forgets a provider sign-in's `state`.
pub fn cleared_oauth_state_cookie(site: &Site) -> String {
    named_cookie(
        site.oauth_state_cookie_name(),
        site,
        "",
        cookie::time::Duration::ZERO,
    )
}

fn client_address(parts: &http::request::Parts) -> Option<String> {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|client| client.0.to_string())
}

/// Where a request came from, kept with a new session and counted by the sign-in throttle: the
/// client address the edge worked out (see [`Site::client_address`]) and the user agent.
pub fn client_info(parts: &http::request::Parts) -> ClientInfo {
    let ip = client_address(parts);
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    ClientInfo { ip, user_agent }
}

fn cookie(site: &Site, value: &str, max_age: cookie::time::Duration) -> String {
    named_cookie(site.session_cookie_name(), site, value, max_age)
}

fn named_cookie(
    name: &'static str,
    site: &Site,
    value: &str,
    max_age: cookie::time::Duration,
) -> String {
    Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(site.is_https())
        .max_age(max_age)
        .build()
        .to_string()
}

/// The `Set-Cookie` value that opens a session.
pub fn session_cookie(token: &str, expires: DateTime<Utc>, site: &Site) -> String {
    let max_age = (expires - Utc::now()).num_seconds().max(0);
    cookie(site, token, cookie::time::Duration::seconds(max_age))
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn cleared_cookie(site: &Site) -> String {
    cookie(site, "", cookie::time::Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn https() -> Site {
        Site::new(Some("https://roster.example.com"), None).expect("valid site")
    }

    fn request_with_cookie(cookie: &'static str) -> http::request::Parts {
        let (parts, ()) = http::Request::builder()
            .header(COOKIE, HeaderValue::from_static(cookie))
            .body(())
            .expect("valid request")
            .into_parts();
        parts
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let parts = request_with_cookie("a=1; roster_session=tok; b=2");
        let site = Site::default();
        assert_eq!(
            credentials(&parts, &site).session_token.as_deref(),
            Some("tok")
        );
        assert!(credentials(&parts, &site).authorization.is_none());
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_counts() {
        let parts = request_with_cookie("roster_session=planted; __Host-roster_session=real");
        assert_eq!(
            credentials(&parts, &https()).session_token.as_deref(),
            Some("real")
        );
    }

    #[test]
    fn the_session_cookie_is_http_only_lax_and_secure_over_https() {
        let expires = Utc::now() + chrono::Duration::days(1);
        let plain = session_cookie("tok", expires, &Site::default());
        assert!(plain.starts_with("roster_session=tok"));
        assert!(plain.contains("HttpOnly"));
        assert!(plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        let secure = session_cookie("tok", expires, &https());
        assert!(secure.starts_with("__Host-roster_session=tok"));
        assert!(secure.contains("Secure") && secure.contains("Path=/"));
        assert!(!secure.contains("Domain"));
    }
}
