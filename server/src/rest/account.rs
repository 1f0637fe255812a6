use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Response};
use roster::Entity;
use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};
use roster::permission::CATALOGUE;
use roster::services::passwords::{ForgotPasswordRequest, ResetPasswordRequest};
use roster::services::{LoginRequest, Session, SignIn};
use roster_app::session::{cleared_cookie, credentials, session_cookie};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, Client, Identified, Listing, Payload, uuid_of};
use crate::state::AppState;

type Reply = Result<Json<Value>, ApiError>;

pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<LoginRequest>,
) -> Result<Response, ApiError> {
    match state.core.login(request, client).await? {
        SignIn::Done(session) => Ok(signed_in(&state, session)),
        SignIn::TwoFactorRequired { user, token } => Ok(Json(json!({
            "type": "two_factor_required", "user": user, "token": token,
        }))
        .into_response()),
    }
}

/// The second step of a two-factor sign-in.
#[derive(serde::Deserialize)]
pub struct CheckpointRequest {
    token: String,
    code: String,
}

pub async fn login_checkpoint(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<CheckpointRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .core
        .complete_sign_in(&request.token, &request.code, client)
        .await?;
    Ok(signed_in(&state, session))
}

fn signed_in(state: &AppState, session: Session) -> Response {
    let cookie = session_cookie(&session.token, session.expires, &state.site);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(json!({ "user": session.user })),
    )
        .into_response()
}

/// A code and the password, confirming a change to two-factor sign-in.
#[derive(serde::Deserialize)]
pub struct TwoFactorConfirmation {
    code: String,
    password: String,
}

pub async fn begin_two_factor(State(state): State<AppState>, Caller(caller): Caller) -> Reply {
    Ok(Json(json!(state.core.begin_two_factor(&caller).await?)))
}

pub async fn enable_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<TwoFactorConfirmation>,
) -> Reply {
    let codes = state
        .core
        .enable_two_factor(&caller, &request.code, request.password)
        .await?;
    Ok(Json(json!({ "recovery_codes": codes })))
}

pub async fn disable_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<TwoFactorConfirmation>,
) -> Reply {
    state
        .core
        .disable_two_factor(&caller, &request.code, request.password)
        .await?;
    Ok(Json(json!({})))
}

pub async fn logout(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<impl IntoResponse, ApiError> {
    let credentials = credentials(&parts, &state.site);
    if let Some(token) = credentials.session_token {
        let client = roster_app::session::client_info(&parts);
        state.core.logout(&token, &client).await?;
    }
    Ok((
        AppendHeaders([(SET_COOKIE, cleared_cookie(&state.site))]),
        Json(json!({})),
    ))
}

pub async fn forgot_password(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<ForgotPasswordRequest>,
) -> Reply {
    state
        .core
        .request_password_reset(&request.email, &client)
        .await?;
    Ok(Json(json!({})))
}

pub async fn reset_password(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<ResetPasswordRequest>,
) -> Reply {
    state
        .core
        .reset_password(request.try_into()?, &client)
        .await?;
    Ok(Json(json!({})))
}

pub async fn account(Identified(caller): Identified) -> Reply {
    Ok(Json(json!({ "user": caller.user })))
}

pub async fn list_api_keys(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Reply {
    let page = state.core.list_api_keys(&caller, query).await?;
    Ok(Json(json!({ "api_keys": page })))
}

pub async fn create_api_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateApiKeyRequest>,
) -> Reply {
    let input = NewApiKey::parse(request, chrono::Utc::now())?;
    let created = state.core.create_api_key(&caller, input).await?;
    Ok(Json(json!(created)))
}

pub async fn revoke_api_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(key): Path<String>,
) -> Reply {
    state
        .core
        .revoke_api_key(&caller, uuid_of(&key, Entity::ApiKey)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn list_sessions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Reply {
    let page = state.core.list_sessions(&caller, query).await?;
    Ok(Json(json!({ "sessions": page })))
}

pub async fn end_session(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(session): Path<String>,
) -> Reply {
    state
        .core
        .end_session(&caller, uuid_of(&session, Entity::Session)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn end_other_sessions(State(state): State<AppState>, Caller(caller): Caller) -> Reply {
    state.core.end_other_sessions(&caller).await?;
    Ok(Json(json!({})))
}

/// The admin permission catalogue: `{"admin_permissions": {"users": {"description": ...,
/// "permissions": {"read": ...}}}}`.
pub async fn permissions(Caller(_caller): Caller) -> Reply {
    let groups: Map<String, Value> = CATALOGUE
        .iter()
        .map(|group| {
            let permissions: Map<String, Value> = group
                .permissions
                .iter()
                .map(|p| {
                    let action = p.as_str().split_once('.').map_or(p.as_str(), |(_, a)| a);
                    (action.to_owned(), Value::from(p.description()))
                })
                .collect();
            (
                group.name.to_owned(),
                json!({ "description": group.description, "permissions": permissions }),
            )
        })
        .collect();
    Ok(Json(json!({ "admin_permissions": groups })))
}
