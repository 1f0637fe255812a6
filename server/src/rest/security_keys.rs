//! Security keys and passkeys with Calagopus' routes: a user's own keys under
//! `/api/client/account/security-keys`, a passkey sign-in under `/api/auth/login/security-key`,
//! and (a Roster extension) a key instead of a code at the second step of a sign-in.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use roster::domain::page::Page;
use roster::domain::security_key::{
    CreateSecurityKeyRequest, SecurityKey, UpdateSecurityKeyRequest,
};
use roster::services::KeyChallenge;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::signed_in;
use super::error::ApiError;
use super::extract::{Caller, Client, Id, Listing, Payload, ids};
use super::openapi::{Empty, Errors, ListParams, UserReply};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SecurityKeysReply {
    pub security_keys: Page<SecurityKey>,
}

/// A key whose registration has begun, and what `navigator.credentials.create` takes.
#[derive(Serialize, ToSchema)]
pub struct SecurityKeyRegistration {
    pub security_key: SecurityKey,
    /// WebAuthn's `PublicKeyCredentialCreationOptions` as JSON, under `publicKey`.
    #[schema(value_type = Object)]
    pub options: Value,
}

/// The authenticator's answer to a registration.
#[derive(Deserialize, ToSchema)]
pub struct SecurityKeyChallengeRequest {
    /// The `PublicKeyCredential` of `navigator.credentials.create`, as JSON.
    #[schema(value_type = Object)]
    pub public_key_credential: Value,
}

#[derive(Serialize, ToSchema)]
pub struct SecurityKeyCredential {
    /// The credential's id, in unpadded base64url.
    pub credential_id: String,
}

/// A sign-in challenge: its uuid, and what `navigator.credentials.get` takes.
#[derive(Serialize, ToSchema)]
pub struct KeyChallengeReply {
    pub uuid: Uuid,
    /// WebAuthn's `PublicKeyCredentialRequestOptions` as JSON, under `publicKey`.
    #[schema(value_type = Object)]
    pub options: Value,
}

impl From<KeyChallenge> for KeyChallengeReply {
    fn from(challenge: KeyChallenge) -> Self {
        KeyChallengeReply {
            uuid: challenge.uuid,
            options: challenge.options,
        }
    }
}

/// The authenticator's answer to a sign-in challenge.
#[derive(Deserialize, ToSchema)]
pub struct KeySignInRequest {
    pub uuid: Uuid,
    /// The `PublicKeyCredential` of `navigator.credentials.get`, as JSON.
    #[schema(value_type = Object)]
    pub public_key_credential: Value,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct KeySignInParams {
    /// The username or email signing in; without one, any passkey that names its user.
    user: Option<String>,
}

/// The second step of a sign-in: the password step's token.
#[derive(Deserialize, ToSchema)]
pub struct KeyCheckpointStart {
    pub token: String,
}

/// The second step of a sign-in with a key: the password step's token and the answer.
#[derive(Deserialize, ToSchema)]
pub struct KeyCheckpointRequest {
    pub token: String,
    pub uuid: Uuid,
    #[schema(value_type = Object)]
    pub public_key_credential: Value,
}

#[utoipa::path(
    get, path = "/api/client/account/security-keys", tag = "account", operation_id = "list_security_keys",
    params(ListParams),
    responses((status = 200, description = "The caller's registered security keys, oldest first; `search` matches the name", body = SecurityKeysReply))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<SecurityKeysReply>, ApiError> {
    let page = state.core.list_own_security_keys(&caller, query).await?;
    Ok(Json(SecurityKeysReply {
        security_keys: page,
    }))
}

#[utoipa::path(
    post, path = "/api/client/account/security-keys", tag = "account", operation_id = "create_security_key",
    request_body = CreateSecurityKeyRequest,
    responses(
        (status = 200, description = "Registration begun: pass `options` to `navigator.credentials.create`, then send its answer to the key's `challenge` within 5 minutes", body = SecurityKeyRegistration),
        (status = 403, description = "Not a signed-in session, or acting as another user", body = Errors),
        (status = 409, description = "The caller has a key of that name, or the account is frozen", body = Errors),
        (status = 417, description = "The caller holds 50 keys", body = Errors),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateSecurityKeyRequest>,
) -> Result<Json<SecurityKeyRegistration>, ApiError> {
    let begun = state
        .core
        .begin_security_key(&caller, &request.name, request.allow_usernameless_login)
        .await?;
    Ok(Json(SecurityKeyRegistration {
        security_key: begun.security_key,
        options: begun.options,
    }))
}

#[utoipa::path(
    post, path = "/api/client/account/security-keys/{security_key}/challenge", tag = "account", operation_id = "finish_security_key",
    params(("security_key" = Uuid, Path, description = "The key's uuid")),
    request_body = SecurityKeyChallengeRequest,
    responses(
        (status = 200, description = "Registered", body = SecurityKeyCredential),
        (status = 400, description = "The challenge expired, or the answer did not pass", body = Errors),
        (status = 404, description = "No such key of the caller's", body = Errors),
        (status = 409, description = "The key is registered already, or its credential is someone's key", body = Errors),
    )
)]
pub async fn finish(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(key, _): Id<ids::SecurityKey>,
    Payload(request): Payload<SecurityKeyChallengeRequest>,
) -> Result<Json<SecurityKeyCredential>, ApiError> {
    let credential_id = state
        .core
        .finish_security_key(&caller, key, request.public_key_credential)
        .await?;
    Ok(Json(SecurityKeyCredential { credential_id }))
}

#[utoipa::path(
    patch, path = "/api/client/account/security-keys/{security_key}", tag = "account", operation_id = "update_security_key",
    params(("security_key" = Uuid, Path, description = "The key's uuid")),
    request_body = UpdateSecurityKeyRequest,
    responses(
        (status = 200, description = "Renamed", body = Empty),
        (status = 400, description = "The name is not valid, or the key's registration is not finished", body = Errors),
        (status = 404, description = "No such key of the caller's", body = Errors),
        (status = 409, description = "The caller has a key of that name", body = Errors),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(key, _): Id<ids::SecurityKey>,
    Payload(request): Payload<UpdateSecurityKeyRequest>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .rename_security_key(&caller, key, request.name.as_deref())
        .await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    delete, path = "/api/client/account/security-keys/{security_key}", tag = "account", operation_id = "delete_security_key",
    params(("security_key" = Uuid, Path, description = "The key's uuid")),
    responses((status = 200, description = "Removed", body = Empty), (status = 404, description = "No such key of the caller's", body = Errors))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(key, _): Id<ids::SecurityKey>,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_security_key(&caller, key).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/auth/login/security-key", tag = "auth", operation_id = "begin_security_key_sign_in", security(()),
    params(KeySignInParams),
    responses((status = 200, description = "A challenge for `navigator.credentials.get`, good for 5 minutes and one answer", body = KeyChallengeReply), (status = 429, description = "Too many sign-ins from the client's network", body = Errors))
)]
pub async fn begin_sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    Query(params): Query<KeySignInParams>,
) -> Result<Json<KeyChallengeReply>, ApiError> {
    let challenge = state
        .core
        .begin_passkey_sign_in(params.user.as_deref(), &client)
        .await?;
    Ok(Json(challenge.into()))
}

#[utoipa::path(
    post, path = "/api/auth/login/security-key", tag = "auth", operation_id = "finish_security_key_sign_in", security(()),
    request_body = KeySignInRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = UserReply),
        (status = 400, description = "The challenge expired or was used, or the answer did not pass", body = Errors),
        (status = 403, description = "The account is suspended", body = Errors),
        (status = 429, description = "Too many sign-ins from the client's network", body = Errors),
    )
)]
pub async fn finish_sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<KeySignInRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .core
        .finish_passkey_sign_in(request.uuid, request.public_key_credential, client)
        .await?;
    Ok(signed_in(&state, session))
}

#[utoipa::path(
    get, path = "/api/auth/login/security-key/discoverable", tag = "auth", operation_id = "begin_passkey_sign_in", security(()),
    responses((status = 200, description = "A challenge for any passkey that names its user", body = KeyChallengeReply), (status = 429, description = "Too many sign-ins from the client's network", body = Errors))
)]
pub async fn begin_discoverable(
    State(state): State<AppState>,
    Client(client): Client,
) -> Result<Json<KeyChallengeReply>, ApiError> {
    let challenge = state.core.begin_passkey_sign_in(None, &client).await?;
    Ok(Json(challenge.into()))
}

#[utoipa::path(
    post, path = "/api/auth/login/security-key/discoverable", tag = "auth", operation_id = "finish_passkey_sign_in", security(()),
    request_body = KeySignInRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = UserReply),
        (status = 400, description = "The challenge expired or was used, or the answer did not pass", body = Errors),
        (status = 403, description = "The account is suspended", body = Errors),
        (status = 429, description = "Too many sign-ins from the client's network", body = Errors),
    )
)]
pub async fn finish_discoverable(
    state: State<AppState>,
    client: Client,
    request: Payload<KeySignInRequest>,
) -> Result<Response, ApiError> {
    finish_sign_in(state, client, request).await
}

#[utoipa::path(
    post, path = "/api/auth/login/checkpoint/security-key/challenge", tag = "auth", operation_id = "begin_security_key_checkpoint", security(()),
    request_body = KeyCheckpointStart,
    responses(
        (status = 200, description = "A challenge for the keys of the user whose password step gave the token", body = KeyChallengeReply),
        (status = 400, description = "The user has no security key", body = Errors),
        (status = 401, description = "Unknown or expired token", body = Errors),
    )
)]
pub async fn begin_checkpoint(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<KeyCheckpointStart>,
) -> Result<Json<KeyChallengeReply>, ApiError> {
    let challenge = state
        .core
        .begin_key_checkpoint(&request.token, &client)
        .await?;
    Ok(Json(challenge.into()))
}

#[utoipa::path(
    post, path = "/api/auth/login/checkpoint/security-key", tag = "auth", operation_id = "finish_security_key_checkpoint", security(()),
    request_body = KeyCheckpointRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = UserReply),
        (status = 400, description = "The challenge expired or was used, or the answer did not pass", body = Errors),
        (status = 401, description = "Unknown or expired token", body = Errors),
        (status = 403, description = "The account is suspended", body = Errors),
    )
)]
pub async fn finish_checkpoint(
    State(state): State<AppState>,
    Client(client): Client,
    Payload(request): Payload<KeyCheckpointRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .core
        .finish_key_checkpoint(
            &request.token,
            request.uuid,
            request.public_key_credential,
            client,
        )
        .await?;
    Ok(signed_in(&state, session))
}
