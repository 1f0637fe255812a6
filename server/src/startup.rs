use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use tower::Service;

use axum::Router;
use axum::http::request::Parts;
use axum::http::{HeaderName, Request};
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use roster_app::{App, shell};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::edge::CspNonce;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as a router: REST API, server functions, pages and static files.
/// Separate from [`serve`] so that tests drive it in process.
pub fn build_app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos.clone();
    let site = state.site.clone();
    let hashed_assets = state.leptos.hash_files;
    let context = console_context(state.core.clone(), state.site.clone());
    let router = Router::new()
        .merge(crate::rest::router(&state))
        .merge(crate::scim::router())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state);
    crate::edge::apply(router, site, hashed_assets)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                )
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// What the console's pages and server functions find in their context: the core, the site
/// settings, and the nonce the edge put in this response's content security policy.
fn console_context(
    core: roster::Core,
    site: roster_app::site::Site,
) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(core.clone());
        provide_context(site.clone());
        let nonce =
            use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    }
}

/// Why Roster could not start or a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Store(#[from] roster::store::StoreError),
    #[error("{}", .0.messages().join("; "))]
    Core(#[from] roster::CoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The console's build settings: from the environment cargo-leptos sets, with defaults that let
/// the binary run on its own (`LEPTOS_SITE_ROOT` pointing at the built site).
pub fn leptos_options() -> Result<LeptosOptions, StartupError> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| StartupError::Leptos(e.to_string()))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "roster".into();
    }
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = built_with_hashed_names(&options);
    }
    Ok(options)
}

/// Whether the site was built with content hashes in its file names (a release build): the
/// build leaves the hashes beside the binary, and the script they name must be in the site.
/// A hash file left over from an earlier build names a script that is gone, and counts for
/// nothing.
fn built_with_hashed_names(options: &LeptosOptions) -> bool {
    let Some(hashes) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
        .and_then(|path| std::fs::read_to_string(path).ok())
    else {
        return false;
    };
    hashes
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(file, _)| file.trim() == "js")
        .is_some_and(|(_, hash)| {
            std::path::Path::new(&*options.site_root)
                .join(&*options.site_pkg_dir)
                .join(format!("{}.{}.js", options.output_name, hash.trim()))
                .is_file()
        })
}

/// How long a client may take to send a request's headers before the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long requests in flight may take to finish after a shutdown signal.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(20);

/// Serves until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(app: Router, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(app, listener, HEADER_READ_TIMEOUT, shutdown_signal()).await;
    Ok(())
}

/// Serves each connection with hyper, whose header-read timeout needs a timer that
/// `axum::serve` does not give it; after `shutdown` it stops accepting and gives connections
/// [`SHUTDOWN_DEADLINE`] to finish.
pub async fn serve_until(
    app: Router,
    listener: tokio::net::TcpListener,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = ConnectionBuilder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = service_fn(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(request)
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections finished"),
        () = tokio::time::sleep(SHUTDOWN_DEADLINE) => {
            tracing::warn!("shutdown deadline reached: closing the remaining connections");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
