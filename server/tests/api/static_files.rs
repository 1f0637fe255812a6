//! The console's files: served precompressed by what the browser accepts, cached for a year when
//! their names carry a content hash and revalidated when they do not; pages are never cached.

use crate::common;

use axum::http::{Method, StatusCode};
use common::{Auth, TestApp, TestOptions, leptos_options};

const SCRIPT: &[u8] = b"console.log('the console, uncompressed');\n";
const SCRIPT_BR: &[u8] = b"brotli bytes";
const SCRIPT_GZ: &[u8] = b"gzip bytes, a few more";

/// A site root holding one script, as a release build leaves it: plain, `.br` and `.gz`.
fn site_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("roster-site-{}", uuid::Uuid::new_v4()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("a site root");
    std::fs::write(pkg.join("roster.js"), SCRIPT).expect("script");
    std::fs::write(pkg.join("roster.js.br"), SCRIPT_BR).expect("brotli script");
    std::fs::write(pkg.join("roster.js.gz"), SCRIPT_GZ).expect("gzip script");
    root
}

async fn app_with(root: &std::path::Path, hashed: bool) -> TestApp {
    let mut leptos = leptos_options();
    leptos.site_root = root.display().to_string().into();
    leptos.hash_files = hashed;
    TestApp::sqlite_with(TestOptions {
        leptos,
        ..TestOptions::default()
    })
    .await
}

async fn script(app: &TestApp, accept: &str) -> common::Reply {
    app.request_with(
        Method::GET,
        "/pkg/roster.js",
        &Auth::None,
        None,
        &[("accept-encoding", accept)],
    )
    .await
}

fn header<'a>(reply: &'a common::Reply, name: &str) -> Option<&'a str> {
    reply.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn files_are_served_in_the_encoding_the_browser_accepts() {
    let root = site_root();
    let app = app_with(&root, false).await;
    for (accept, encoding, length) in [
        ("br, gzip", Some("br"), SCRIPT_BR.len()),
        ("gzip", Some("gzip"), SCRIPT_GZ.len()),
        ("identity", None, SCRIPT.len()),
    ] {
        let reply = script(&app, accept).await;
        assert_eq!(reply.status, StatusCode::OK, "{accept}");
        assert_eq!(header(&reply, "content-encoding"), encoding, "{accept}");
        assert_eq!(
            header(&reply, "content-length"),
            Some(length.to_string().as_str())
        );
        assert!(
            header(&reply, "vary")
                .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
            "a cache must tell the encodings apart"
        );
        assert_eq!(header(&reply, "content-type"), Some("text/javascript"));
    }
    app.finish().await;
    std::fs::remove_dir_all(root).ok();
}

#[tokio::test]
async fn files_with_hashed_names_are_immutable_and_others_revalidate() {
    let root = site_root();
    let plain = app_with(&root, false).await;
    let reply = script(&plain, "br").await;
    assert_eq!(header(&reply, "cache-control"), Some("no-cache"));
    let missing = plain.get("/pkg/nothing-here.js", &Auth::None).await;
    assert_eq!(header(&missing, "cache-control"), Some("no-store"));
    plain.finish().await;

    let hashed = app_with(&root, true).await;
    let reply = script(&hashed, "br").await;
    assert_eq!(
        header(&reply, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let page = hashed.get("/sign-in", &Auth::None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(header(&page, "cache-control"), Some("no-store"));
    hashed.finish().await;
    std::fs::remove_dir_all(root).ok();
}
