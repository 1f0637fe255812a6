//! `Idempotency-Key` on `POST`: a retry of a request that already succeeded gets its reply
//! again (marked `Idempotent-Replayed: true`) and writes nothing. Keys belong to the credential
//! that presented them, and are looked at only once that credential is authenticated; the routes under `/api/auth/`, which act for no caller (signing in,
//! asking for a reset link), are served as if the request carried no key. The rules live in the core (`roster::services::idempotency`).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster::CoreError;
use roster::Refusal;
use roster::services::idempotency::Claim;

use super::error::ApiError;
use super::secret::HoldsSecret;
use crate::state::AppState;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The largest request body taken, as for any JSON body of the API.
const MAX_BODY: usize = 2 * 1024 * 1024;

pub async fn replay(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Signing in and the password routes act for no caller: a key there would belong to
    // nobody.
    if request.method() != Method::POST || request.uri().path().starts_with("/api/auth/") {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(&IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let presented = roster_app::session::credentials(&parts, &state.site);
    // Only a caller the route would accept holds keys: a revoked key, an ended session or no
    // credential at all pass through to be refused as usual, costing no buffer and no write.
    if state.core.authenticate(&presented).await.is_err() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let credential = match (presented.authorization, presented.session_token) {
        (Some(authorization), _) => format!("authorization {authorization}"),
        (None, Some(token)) => format!("session {token}"),
        (None, None) => return next.run(Request::from_parts(parts, body)).await,
    };
    let Ok(key) = key.to_str() else {
        return ApiError::from(CoreError::Refused(Refusal::InvalidIdempotencyKey)).into_response();
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::Http(StatusCode::PAYLOAD_TOO_LARGE, "payload too large").into_response();
    };
    let mut described = format!("{} {}\n", parts.method, parts.uri).into_bytes();
    described.extend_from_slice(&bytes);
    let held = match state
        .core
        .claim_idempotency_key(&credential, key, &described)
        .await
    {
        Err(error) => return ApiError::from(error).into_response(),
        Ok(Claim::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return (
                status,
                [
                    (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                    (REPLAYED.clone(), HeaderValue::from_static("true")),
                ],
                body,
            )
                .into_response();
        }
        Ok(Claim::Run(held)) => held,
    };
    // The handler's caller carries the hold to the write it makes (see `extract::Caller`).
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(held.clone());
    let response = next.run(request).await;
    // A reply holding a secret is kept only as the fact that it succeeded.
    let keeps_body = response.extensions().get::<HoldsSecret>().is_none();
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let kept = keeps_body.then(|| String::from_utf8_lossy(&body).into_owned());
    if let Err(error) = state
        .core
        .keep_reply(&held, parts.status.as_u16(), kept)
        .await
    {
        tracing::warn!(%error, "keeping the reply to an idempotent request failed");
    }
    Response::from_parts(parts, Body::from(body))
}
