use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderName, Request};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use roster_app::{App, shell};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as a router: REST API, server functions, pages and static files.
/// Separate from [`serve`] so that tests drive it in process.
pub fn build_app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let core = state.core.clone();
    let leptos_options = state.leptos.clone();
    Router::new()
        .merge(crate::rest::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(core.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
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

/// Why Roster could not start or a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("leptos configuration: {0}")]
    Leptos(String),
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
    Ok(options)
}

/// Serves until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(app: Router, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
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
