//! Security headers on every answer, and a strict content security policy on pages: scripts
//! only from Roster itself or carrying this response's nonce, WebAssembly allowed, nothing
//! inline, no framing.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use roster_app::site::Site;

/// What the headers depend on besides the request: the site, and whether the console's files
/// carry a hash of their content in their names.
#[derive(Debug)]
pub struct HeaderSettings {
    pub site: Site,
    pub hashed_assets: bool,
}

/// This response's script nonce, for the console's inline hydration script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

/// Static files under it are the only answers a cache may keep: for a year when their names
/// change with their content (a release build), else only after asking whether they changed.
const STATIC_PREFIX: &str = "/pkg/";
const API_PREFIX: &str = "/api/";
const HASHED_ASSET_CACHE: &str = "public, max-age=31536000, immutable";
const ASSET_CACHE: &str = "no-cache";

fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// What [`prepare`] learnt of a request, for [`finish`] to use on its answer.
pub(super) struct Prepared {
    nonce: Option<Arc<str>>,
    cacheable: bool,
}

/// Draws the nonce a page's policy and inline script share, before the page renders.
pub(super) fn prepare(request: &mut Request) -> Prepared {
    // Only the console's pages put the nonce in what they render; the REST API's answers are
    // JSON (its one page, the API reference, has no inline script), so they skip drawing it.
    let path = request.uri().path();
    let cacheable = path.starts_with(STATIC_PREFIX);
    let nonce: Option<Arc<str>> =
        (!path.starts_with(API_PREFIX)).then(|| roster::secret::random_token().into());
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(CspNonce(nonce.clone()));
    }
    Prepared { nonce, cacheable }
}

/// Puts the headers on the answer to a request that [`prepare`] saw.
pub(super) fn finish(
    settings: &HeaderSettings,
    prepared: Prepared,
    mut response: Response,
) -> Response {
    let Prepared { nonce, cacheable } = prepared;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let asset = cacheable && response.status().is_success();
    let cache = match (asset, settings.hashed_assets) {
        (true, true) => HASHED_ASSET_CACHE,
        (true, false) => ASSET_CACHE,
        (false, _) => "no-store",
    };
    let headers = response.headers_mut();
    let static_header = HeaderValue::from_static;
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, static_header("nosniff"));
    headers.insert(header::REFERRER_POLICY, static_header("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, static_header("DENY"));
    let policy = if is_html {
        let nonce = nonce.unwrap_or_else(|| roster::secret::random_token().into());
        HeaderValue::from_str(&page_policy(&nonce)).unwrap_or(static_header(OTHER_POLICY))
    } else {
        static_header(OTHER_POLICY)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(header::CACHE_CONTROL, static_header(cache));
    if asset {
        // The same name answers in several encodings: a shared cache must keep them apart.
        headers.insert(header::VARY, static_header("accept-encoding"));
    }
    if settings.site.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            static_header("max-age=31536000"),
        );
    }
    response
}
