use axum::Json;
use axum::extract::{Path, State};
use roster::Entity;
use roster::domain::server::{CreateServerRequest, NewServer, ServerPatch, UpdateServerRequest};
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
    let page = state.core.list_servers(&caller, query).await?;
    Ok(Json(json!({ "servers": page })))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(server): Path<String>,
) -> Reply {
    let server = state
        .core
        .get_server(&caller, uuid_of(&server, Entity::Server)?)
        .await?;
    Ok(Json(json!({ "server": server })))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateServerRequest>,
) -> Reply {
    let server = state
        .core
        .create_server(&caller, NewServer::try_from(request)?)
        .await?;
    Ok(Json(json!({ "server": server })))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(server): Path<String>,
    Payload(request): Payload<UpdateServerRequest>,
) -> Reply {
    let uuid = uuid_of(&server, Entity::Server)?;
    let server = state
        .core
        .update_server(&caller, uuid, ServerPatch::try_from(request)?)
        .await?;
    Ok(Json(json!({ "server": server })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(server): Path<String>,
) -> Reply {
    state
        .core
        .delete_server(&caller, uuid_of(&server, Entity::Server)?)
        .await?;
    Ok(Json(json!({})))
}
