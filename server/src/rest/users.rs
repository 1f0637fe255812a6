use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster::Entity;
use roster::domain::user::{CreateUserRequest, NewUser, UpdateUserRequest, UserPatch};
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{Caller, Listing, Payload, uuid_of};
use crate::state::AppState;

type Reply = Result<Json<Value>, ApiError>;

pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Reply {
    let page = state.core.list_users(&caller, query).await?;
    Ok(Json(json!({ "users": page })))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
) -> Reply {
    let user = state
        .core
        .get_user(&caller, uuid_of(&user, Entity::User)?)
        .await?;
    Ok(Json(json!({ "user": user })))
}

pub async fn by_external_id(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(external_id): Path<String>,
) -> Reply {
    let user = state
        .core
        .get_user_by_external_id(&caller, &external_id)
        .await?;
    Ok(Json(json!({ "user": user })))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateUserRequest>,
) -> Reply {
    let user = state
        .core
        .create_user(&caller, NewUser::try_from(request)?)
        .await?;
    Ok(Json(json!({ "user": user })))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
    Payload(request): Payload<UpdateUserRequest>,
) -> Reply {
    let uuid = uuid_of(&user, Entity::User)?;
    let user = state
        .core
        .update_user(&caller, uuid, UserPatch::try_from(request)?)
        .await?;
    Ok(Json(json!({ "user": user })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
) -> Reply {
    state
        .core
        .delete_user(&caller, uuid_of(&user, Entity::User)?)
        .await?;
    Ok(Json(json!({})))
}

/// Mails the user a password reset link: 202, the mail goes out in the background.
pub async fn send_password_reset(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state
        .core
        .send_password_reset(&caller, uuid_of(&user, Entity::User)?)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({}))))
}

/// Turns off the user's two-factor sign-in; they are told by mail.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
) -> Reply {
    state
        .core
        .reset_two_factor(&caller, uuid_of(&user, Entity::User)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn servers(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
    Listing(query): Listing,
) -> Reply {
    let uuid = uuid_of(&user, Entity::User)?;
    let page = state.core.list_user_servers(&caller, uuid, query).await?;
    Ok(Json(json!({ "servers": page })))
}
