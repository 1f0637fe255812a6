use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use roster::Entity;
use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};
use roster::domain::fields::Password;
use roster::permission::CATALOGUE;
use roster::services::LoginRequest;
use roster::services::passwords::{ForgotPasswordRequest, ResetPasswordRequest};
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
) -> Result<impl IntoResponse, ApiError> {
    let session = state.core.login(request, client).await?;
    let cookie = session_cookie(&session.token, session.expires, &state.site);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(json!({ "user": session.user })),
    ))
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = credentials(&headers, &state.site).session_token {
        state.core.logout(&token).await?;
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
    Payload(request): Payload<ResetPasswordRequest>,
) -> Reply {
    let password = Password::parse(request.password)
        .map_err(|reason| roster::CoreError::invalid_field("password", reason))?;
    state.core.reset_password(&request.token, password).await?;
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
