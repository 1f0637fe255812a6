use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Response};
use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};
use roster::permission::CATALOGUE;
use roster::services::account::{EmailChangeRequest, PasswordChangeRequest};
use roster::services::passwords::{ForgotPasswordRequest, ResetPasswordRequest};
use roster::services::{LoginRequest, Session, SignIn};
use roster_app::session::{cleared_cookie, credentials, session_cookie};

use super::error::ApiError;
use super::extract::{Caller, Client, Id, Identified, Listing, Payload, ids};
use super::openapi::{
    ApiKeysReply, Empty, Errors, ListParams, PermissionCatalogue, PermissionGroup, RecoveryCodes,
    SessionsReply, SignedIn, TwoFactorRequired, UserReply,
};
use super::secret::Secret;
use crate::state::AppState;
use roster::domain::api_key::CreatedApiKey;
use roster::domain::two_factor::TwoFactorSetup;

#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth", operation_id = "login", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set; or, for an account with two-factor sign-in, the code step comes next", body = SignedIn),
        (status = 401, description = "Wrong username, email or password", body = Errors),
        (status = 403, description = "The account is suspended", body = Errors),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<LoginRequest>,
) -> Result<Response, ApiError> {
    match state.core.login(request, client).await? {
        SignIn::Done(session) => Ok(signed_in(&state, *session)),
        SignIn::TwoFactorRequired { token } => Ok(Json(TwoFactorRequired {
            kind: "two_factor_required".to_owned(),
            token,
        })
        .into_response()),
    }
}

/// The second step of a two-factor sign-in.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CheckpointRequest {
    token: String,
    code: String,
}

#[utoipa::path(
    post, path = "/api/auth/login/checkpoint", tag = "auth", operation_id = "login_checkpoint", security(()),
    request_body = CheckpointRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = UserReply),
        (status = 401, description = "Unknown or expired token, wrong or used code", body = Errors),
    )
)]
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

pub(super) fn signed_in(state: &AppState, session: Session) -> Response {
    let cookie = session_cookie(&session.token, session.expires, &state.site);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(UserReply { user: session.user }),
    )
        .into_response()
}

/// A code and the password, confirming a change to two-factor sign-in.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TwoFactorConfirmation {
    code: String,
    password: String,
}

#[utoipa::path(
    post, path = "/api/client/account/two-factor/setup", tag = "account", operation_id = "begin_two_factor",
    responses((status = 200, description = "A new secret to enrol, as text and as a QR code; it replaces any earlier one not yet confirmed", body = TwoFactorSetup), (status = 400, description = "Two-factor sign-in is already on", body = Errors), (status = 409, description = "The account is frozen", body = Errors))
)]
pub async fn begin_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Secret<Json<TwoFactorSetup>>, ApiError> {
    Ok(Secret(Json(state.core.begin_two_factor(&caller).await?)))
}

#[utoipa::path(
    post, path = "/api/client/account/two-factor", tag = "account", operation_id = "enable_two_factor",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = TwoFactorConfirmation,
    responses((status = 200, description = "Two-factor sign-in is on", body = RecoveryCodes), (status = 409, description = "The account is frozen, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors))
)]
pub async fn enable_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<TwoFactorConfirmation>,
) -> Result<Secret<Json<RecoveryCodes>>, ApiError> {
    let recovery_codes = state
        .core
        .enable_two_factor(&caller, &request.code, request.password)
        .await?;
    Ok(Secret(Json(RecoveryCodes { recovery_codes })))
}

#[utoipa::path(
    delete, path = "/api/client/account/two-factor", tag = "account", operation_id = "disable_two_factor",
    request_body = TwoFactorConfirmation,
    responses((status = 200, description = "Two-factor sign-in is off", body = Empty), (status = 409, description = "The account is frozen", body = Errors))
)]
pub async fn disable_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<TwoFactorConfirmation>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .disable_two_factor(&caller, &request.code, request.password)
        .await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    put, path = "/api/client/account/password", tag = "account", operation_id = "change_password",
    request_body = PasswordChangeRequest,
    responses(
        (status = 200, description = "The password is changed; every other session, any reset link and any pending sign-in end", body = Empty),
        (status = 400, description = "The new password breaks the password rule", body = Errors),
        (status = 403, description = "The current password is wrong, or the request came with an API key", body = Errors),
        (status = 409, description = "The account is frozen", body = Errors),
        (status = 429, description = "Too many wrong passwords", body = Errors),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<PasswordChangeRequest>,
) -> Result<Json<Empty>, ApiError> {
    state.core.change_own_password(&caller, request).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    put, path = "/api/client/account/email", tag = "account", operation_id = "change_email",
    request_body = EmailChangeRequest,
    responses(
        (status = 200, description = "The email is changed (the same address changes nothing); every other session and any reset link end", body = Empty),
        (status = 400, description = "Not an email address", body = Errors),
        (status = 403, description = "The password is wrong, or the request came with an API key", body = Errors),
        (status = 409, description = "Another account has this address, or the account is frozen", body = Errors),
        (status = 429, description = "Too many wrong passwords", body = Errors),
    )
)]
pub async fn change_email(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<EmailChangeRequest>,
) -> Result<Json<Empty>, ApiError> {
    state.core.change_own_email(&caller, request).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/api/auth/logout", tag = "auth", operation_id = "logout", security(()),
    responses((status = 200, description = "Signed out: the session ends and its cookie is cleared", body = Empty))
)]
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
        Json(Empty {}),
    ))
}

#[utoipa::path(
    post, path = "/api/auth/password/forgot", tag = "auth", operation_id = "forgot_password", security(()),
    request_body = ForgotPasswordRequest,
    responses((status = 200, description = "A reset link is mailed if the address belongs to an account (the reply is the same either way)", body = Empty))
)]
pub async fn forgot_password(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<ForgotPasswordRequest>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .request_password_reset(&request.email, &client)
        .await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/api/auth/password/reset", tag = "auth", operation_id = "reset_password", security(()),
    request_body = ResetPasswordRequest,
    responses((status = 200, description = "The password is set and every session of the account ends", body = Empty))
)]
pub async fn reset_password(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<ResetPasswordRequest>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .reset_password(request.try_into()?, &client)
        .await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/client/account", tag = "account", operation_id = "account",
    params(("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The caller (also when suspended)", body = UserReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"))
)]
pub async fn account(Identified(caller): Identified) -> Result<Json<UserReply>, ApiError> {
    Ok(Json(UserReply { user: caller.user }))
}

#[utoipa::path(
    get, path = "/api/client/account/api-keys", tag = "account", operation_id = "list_api_keys",
    params(ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The caller's API keys, without their secrets", body = ApiKeysReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"))
)]
pub async fn list_api_keys(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<ApiKeysReply>, ApiError> {
    let page = state.core.list_api_keys(&caller, query).await?;
    Ok(Json(ApiKeysReply { api_keys: page }))
}

#[utoipa::path(
    post, path = "/api/client/account/api-keys", tag = "account", operation_id = "create_api_key",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateApiKeyRequest,
    responses((status = 200, description = "The new key; its secret is shown this once", body = CreatedApiKey), (status = 409, description = "The idempotency key is in use or was used (a reply holding a secret is never repeated)", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors))
)]
pub async fn create_api_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateApiKeyRequest>,
) -> Result<Secret<Json<CreatedApiKey>>, ApiError> {
    let input = NewApiKey::parse(request, chrono::Utc::now())?;
    Ok(Secret(Json(
        state.core.create_api_key(&caller, input).await?,
    )))
}

#[utoipa::path(
    delete, path = "/api/client/account/api-keys/{key}", tag = "account", operation_id = "revoke_api_key",
    params(("key" = uuid::Uuid, Path, description = "The key's uuid")),
    responses((status = 200, description = "Revoked", body = Empty), (status = 404, description = "No such key of the caller", body = Errors))
)]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(key, _): Id<ids::ApiKey>,
) -> Result<Json<Empty>, ApiError> {
    state.core.revoke_api_key(&caller, key).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/client/account/sessions", tag = "account", operation_id = "list_sessions",
    params(ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The caller's sessions", body = SessionsReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"))
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<SessionsReply>, ApiError> {
    let page = state.core.list_sessions(&caller, query).await?;
    Ok(Json(SessionsReply { sessions: page }))
}

#[utoipa::path(
    delete, path = "/api/client/account/sessions/{session}", tag = "account", operation_id = "end_session",
    params(("session" = uuid::Uuid, Path, description = "The session's uuid")),
    responses((status = 200, description = "Ended", body = Empty), (status = 404, description = "No such session of the caller", body = Errors))
)]
pub async fn end_session(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(session, _): Id<ids::Session>,
) -> Result<Json<Empty>, ApiError> {
    state.core.end_session(&caller, session).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    delete, path = "/api/client/account/sessions", tag = "account", operation_id = "end_other_sessions",
    responses((status = 200, description = "Every other session of the caller ended", body = Empty))
)]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Empty>, ApiError> {
    state.core.end_other_sessions(&caller).await?;
    Ok(Json(Empty {}))
}

/// The admin permission catalogue: `{"admin_permissions": {"users": {"description": ...,
/// "permissions": {"read": ...}}}}`.
#[utoipa::path(
    get, path = "/api/client/permissions", tag = "account", operation_id = "permissions",
    params(("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The catalogue of admin permissions", body = PermissionCatalogue, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"))
)]
pub async fn permissions(Caller(_caller): Caller) -> Json<PermissionCatalogue> {
    let admin_permissions = CATALOGUE
        .iter()
        .map(|group| {
            let permissions = group
                .permissions
                .iter()
                .map(|p| {
                    let action = p.as_str().split_once('.').map_or(p.as_str(), |(_, a)| a);
                    (action.to_owned(), p.description().to_owned())
                })
                .collect();
            let group_reply = PermissionGroup {
                description: group.description.to_owned(),
                permissions,
            };
            (group.name.to_owned(), group_reply)
        })
        .collect();
    Json(PermissionCatalogue { admin_permissions })
}
