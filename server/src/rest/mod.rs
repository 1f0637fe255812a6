//! The REST API under `/api`, wire-compatible with the Calagopus admin users API. Each handler
//! authenticates, converts the wire request into core input, calls the core and wraps the
//! result in the contract's envelope.

mod account;
mod activity;
pub(crate) mod conditional;
mod csv;
mod docs;
pub mod error;
mod extract;
mod idempotency;
mod jobs;
mod mail;
mod oauth_providers;
pub mod openapi;
mod roles;
mod secret;
mod security_keys;
mod servers;
mod users;
mod webhooks;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
use error::{ApiError, error_body};
use openapi::Health;

/// The API's routes and its OpenAPI document, built together: every route is registered with
/// its documentation, so the two cannot drift apart.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(account::login))
        .routes(routes!(account::logout))
        .routes(routes!(account::login_checkpoint))
        .routes(routes!(account::forgot_password))
        .routes(routes!(account::reset_password))
        .routes(routes!(account::account))
        .routes(routes!(account::list_api_keys, account::create_api_key))
        .routes(routes!(account::revoke_api_key))
        .routes(routes!(account::list_sessions, account::end_other_sessions))
        .routes(routes!(account::end_session))
        .routes(routes!(account::begin_two_factor))
        .routes(routes!(
            account::enable_two_factor,
            account::disable_two_factor
        ))
        .routes(routes!(account::change_password))
        .routes(routes!(account::change_email))
        .routes(routes!(account::permissions))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::export))
        .routes(routes!(jobs::bulk))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::users))
        .routes(routes!(jobs::report))
        .routes(routes!(jobs::cancel))
        .routes(routes!(jobs::confirm))
        .routes(routes!(users::by_external_id))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(users::servers))
        .routes(routes!(activity::of_user))
        .routes(routes!(activity::list))
        .routes(routes!(users::send_password_reset))
        .routes(routes!(mail::outbox))
        .routes(routes!(users::reset_two_factor))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::get, roles::update, roles::delete))
        .routes(routes!(roles::users))
        .routes(routes!(servers::list, servers::create))
        .routes(routes!(servers::get, servers::update, servers::delete))
        .routes(routes!(oauth_providers::sign_in_providers))
        .routes(routes!(oauth_providers::own_links))
        .routes(routes!(oauth_providers::delete_own_link))
        .routes(routes!(security_keys::list, security_keys::create))
        .routes(routes!(security_keys::update, security_keys::delete))
        .routes(routes!(security_keys::finish))
        .routes(routes!(
            security_keys::begin_sign_in,
            security_keys::finish_sign_in
        ))
        .routes(routes!(
            security_keys::begin_discoverable,
            security_keys::finish_discoverable
        ))
        .routes(routes!(security_keys::begin_checkpoint))
        .routes(routes!(security_keys::finish_checkpoint))
        .routes(routes!(crate::oauth::leave))
        .routes(routes!(crate::oauth::come_back))
        .routes(routes!(oauth_providers::list, oauth_providers::create))
        .routes(routes!(
            oauth_providers::get,
            oauth_providers::update,
            oauth_providers::delete
        ))
        .routes(routes!(
            oauth_providers::list_mappings,
            oauth_providers::create_mapping
        ))
        .routes(routes!(
            oauth_providers::get_mapping,
            oauth_providers::update_mapping,
            oauth_providers::delete_mapping
        ))
        .routes(routes!(oauth_providers::users))
        .routes(routes!(oauth_providers::find_user))
        .routes(routes!(
            oauth_providers::user_links,
            oauth_providers::create_user_link
        ))
        .routes(routes!(
            oauth_providers::get_user_link,
            oauth_providers::delete_user_link
        ))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::test))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::resend))
        .split_for_parts();
    openapi::common_responses(&mut document);
    (router, document)
}

pub fn router(state: &AppState) -> Router<AppState> {
    let (router, document) = routes();
    let document = std::sync::Arc::new(openapi::served(&document));
    router
        .route("/api/docs", get(docs::page))
        .route("/api/docs/swagger-ui-bundle.js", get(docs::bundle))
        .route("/api/docs/swagger-ui.css", get(docs::styles))
        .route("/api/docs/init.js", get(docs::init))
        .route(
            "/api/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .route("/api", any(route_not_found))
        .route("/api/{*rest}", any(route_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(finish_reply))
        .layer(CatchPanicLayer::custom(|_| {
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                vec!["internal server error".to_owned()],
            )
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::replay,
        ))
}

/// 200 while the database answers, 503 while it does not (a load balancer takes the instance
/// out, and puts it back once the database returns).
#[utoipa::path(
    get, path = "/api/health", tag = "system", operation_id = "health", security(()),
    responses((status = 200, description = "The database answers", body = Health), (status = 304, description = "Not modified"), (status = 503, description = "The database does not answer", body = Health))
)]
async fn health(State(state): State<AppState>) -> Response {
    let database = state.core.backend().as_str();
    match state.core.ping().await {
        Ok(()) => Json(Health {
            status: "ok".to_owned(),
            database: database.to_owned(),
        })
        .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable".to_owned(),
                    database: database.to_owned(),
                }),
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

/// Every answer of the REST API: a read tagged (and `304` when the client holds it), an error
/// in the contract's envelope.
async fn finish_reply(request: Request, next: Next) -> Response {
    json_errors(conditional::tag_reads(request, next).await)
}

/// Whatever answers an error without a JSON body (an extractor's rejection, a layer) still
/// answers the contract's `{"errors": [...]}`.
fn json_errors(response: Response) -> Response {
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
