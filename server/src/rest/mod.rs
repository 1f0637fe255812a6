//! The REST API under `/api`, wire-compatible with the Calagopus admin users API. Each handler
//! authenticates, converts the wire request into core input, calls the core and wraps the
//! result in the contract's envelope.

mod account;
mod activity;
pub mod error;
mod extract;
mod mail;
mod roles;
mod servers;
mod users;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

use crate::state::AppState;
use error::{ApiError, error_body};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/auth/login", post(account::login))
        .route("/api/auth/logout", post(account::logout))
        .route(
            "/api/auth/login/checkpoint",
            post(account::login_checkpoint),
        )
        .route("/api/auth/password/forgot", post(account::forgot_password))
        .route("/api/auth/password/reset", post(account::reset_password))
        .route("/api/client/account", get(account::account))
        .route(
            "/api/client/account/api-keys",
            get(account::list_api_keys).post(account::create_api_key),
        )
        .route(
            "/api/client/account/api-keys/{key}",
            axum::routing::delete(account::revoke_api_key),
        )
        .route(
            "/api/client/account/sessions",
            get(account::list_sessions).delete(account::end_other_sessions),
        )
        .route(
            "/api/client/account/sessions/{session}",
            axum::routing::delete(account::end_session),
        )
        .route(
            "/api/client/account/two-factor",
            get(account::begin_two_factor)
                .post(account::enable_two_factor)
                .delete(account::disable_two_factor),
        )
        .route("/api/client/permissions", get(account::permissions))
        .route("/api/admin/users", get(users::list).post(users::create))
        .route(
            "/api/admin/users/external/{external_id}",
            get(users::by_external_id),
        )
        .route(
            "/api/admin/users/{user}",
            get(users::get).patch(users::update).delete(users::delete),
        )
        .route("/api/admin/users/{user}/servers", get(users::servers))
        .route("/api/admin/users/{user}/activity", get(activity::of_user))
        .route("/api/admin/activity", get(activity::list))
        .route(
            "/api/admin/users/{user}/email/reset-password",
            post(users::send_password_reset),
        )
        .route("/api/admin/mail", get(mail::outbox))
        .route(
            "/api/admin/users/{user}/two-factor",
            axum::routing::delete(users::reset_two_factor),
        )
        .route("/api/admin/roles", get(roles::list).post(roles::create))
        .route(
            "/api/admin/roles/{role}",
            get(roles::get).patch(roles::update).delete(roles::delete),
        )
        .route(
            "/api/admin/servers",
            get(servers::list).post(servers::create),
        )
        .route(
            "/api/admin/servers/{server}",
            get(servers::get)
                .patch(servers::update)
                .delete(servers::delete),
        )
        .route("/api", any(route_not_found))
        .route("/api/{*rest}", any(route_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(json_errors))
        .layer(CatchPanicLayer::custom(|_| {
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                vec!["internal server error".to_owned()],
            )
        }))
}

/// 200 while the database answers, 503 while it does not (a load balancer takes the instance
/// out, and puts it back once the database returns).
async fn health(State(state): State<AppState>) -> Response {
    let database = state.core.backend().as_str();
    match state.core.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": database })).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": database })),
            )
                .into_response()
        }
    }
}

async fn route_not_found() -> ApiError {
    ApiError::Http(StatusCode::NOT_FOUND, "route not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::Http(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// Whatever answers an error without a JSON body (an extractor's rejection, a layer) still
/// answers the contract's `{"errors": [...]}`.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = if status.is_server_error() {
        "internal server error"
    } else {
        status.canonical_reason().unwrap_or("bad request")
    };
    error_body(status, vec![message.to_lowercase()]).into_response()
}
