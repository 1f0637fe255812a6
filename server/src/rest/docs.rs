//! The API reference at `/api/docs`: Swagger UI reading `/api/openapi.json`. Its files come
//! from npm's `swagger-ui-dist` (see `server/api-docs`), embedded in the server when it is
//! built, so the page works on a network with no way out. It runs under the console's content
//! security policy: scripts and styles from Roster only, nothing inline.

use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse};

const BUNDLE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/api-docs/node_modules/swagger-ui-dist/swagger-ui-bundle.js"
));

const STYLES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/api-docs/node_modules/swagger-ui-dist/swagger-ui.css"
));

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Roster</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;

/// Starts Swagger UI on the document; it never asks the online validator.
const INIT: &str = "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', \
    dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true });\n";

pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

pub async fn bundle() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], BUNDLE)
}

pub async fn init() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], INIT)
}

pub async fn styles() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLES)
}
