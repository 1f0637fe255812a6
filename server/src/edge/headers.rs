//! Security headers on every answer, and a strict content security policy on pages: scripts
//! only from Roster itself or carrying this response's nonce, WebAssembly allowed, nothing
//! inline, no framing.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use roster_app::site::Site;

/// This response's script nonce, for the console's inline hydration script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

/// Static files under it are the only answers a cache may keep.
const STATIC_PREFIX: &str = "/pkg/";

fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn secure_headers(
    State(site): State<Site>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce: Arc<str> = roster::secret::random_token().into();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let cacheable = request.uri().path().starts_with(STATIC_PREFIX);
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let headers = response.headers_mut();
    let static_header = HeaderValue::from_static;
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, static_header("nosniff"));
    headers.insert(header::REFERRER_POLICY, static_header("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, static_header("DENY"));
    let policy = if is_html {
        HeaderValue::from_str(&page_policy(&nonce)).unwrap_or(static_header(OTHER_POLICY))
    } else {
        static_header(OTHER_POLICY)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, static_header("no-store"));
    }
    if site.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            static_header("max-age=31536000"),
        );
    }
    response
}
