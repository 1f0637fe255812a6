use axum::Json;
use axum::extract::{Path, State};
use roster::Entity;
use roster::domain::role::{CreateRoleRequest, NewRole, RolePatch, UpdateRoleRequest};
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
    let page = state.core.list_roles(&caller, query).await?;
    Ok(Json(json!({ "roles": page })))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(role): Path<String>,
) -> Reply {
    let role = state
        .core
        .get_role(&caller, uuid_of(&role, Entity::Role)?)
        .await?;
    Ok(Json(json!({ "role": role })))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateRoleRequest>,
) -> Reply {
    let role = state
        .core
        .create_role(&caller, NewRole::try_from(request)?)
        .await?;
    Ok(Json(json!({ "role": role })))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(role): Path<String>,
    Payload(request): Payload<UpdateRoleRequest>,
) -> Reply {
    let uuid = uuid_of(&role, Entity::Role)?;
    let role = state
        .core
        .update_role(&caller, uuid, RolePatch::try_from(request)?)
        .await?;
    Ok(Json(json!({ "role": role })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(role): Path<String>,
) -> Reply {
    state
        .core
        .delete_role(&caller, uuid_of(&role, Entity::Role)?)
        .await?;
    Ok(Json(json!({})))
}
