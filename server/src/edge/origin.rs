//! Cross-site request refusal, on the model of Go's `http.CrossOriginProtection`: a browser
//! says where a request comes from (`Sec-Fetch-Site`, else `Origin`); a write that a browser
//! sends on behalf of another site is refused. Requests that carry neither header come from no
//! browser (curl, scripts, billing systems) and pass.

use axum::extract::Request;
use axum::http::{Method, header};
use axum::response::Response;
use roster_app::site::Site;

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a browser marked this request as coming from another site.
fn cross_site(site: &Site, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(fetch_site) = headers.get("sec-fetch-site") {
        return !matches!(fetch_site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match origin.to_str() {
        Ok(origin) => !site.is_own_origin(origin, host),
        Err(_) => true,
    }
}

/// The refusal of a write a browser sent on behalf of another site, if this is one.
pub(super) fn refusal(site: &Site, request: &Request) -> Option<Response> {
    if is_unsafe(request.method()) && cross_site(site, request) {
        tracing::info!(path = %request.uri().path(), "cross-site write refused");
        return Some(super::refuse_cross_site(request.uri().path()));
    }
    None
}
