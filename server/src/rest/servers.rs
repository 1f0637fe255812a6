use axum::Json;
use axum::extract::State;
use roster::domain::server::{CreateServerRequest, NewServer, ServerPatch, UpdateServerRequest};

use super::conditional::{IfMatch, Shown, shown};
use super::error::ApiError;
use super::extract::{Caller, Id, Listing, Payload, ids};
use super::openapi::{Empty, Errors, ListParams, ServerReply, ServersReply};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/admin/servers", tag = "servers", operation_id = "list_servers",
    params(ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "A page of servers, oldest first", body = ServersReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified")),
    extensions(("x-required-permission" = json!("servers.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<ServersReply>, ApiError> {
    let page = state.core.list_servers(&caller, query).await?;
    Ok(Json(ServersReply { servers: page }))
}

#[utoipa::path(
    get, path = "/api/admin/servers/{server}", tag = "servers", operation_id = "get_server",
    params(("server" = uuid::Uuid, Path, description = "The server's uuid"), ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The server", body = ServerReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such server", body = Errors)),
    extensions(("x-required-permission" = json!("servers.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(server, _): Id<ids::Server>,
) -> Result<Shown<ServerReply>, ApiError> {
    let server = state.core.get_server(&caller, server).await?;
    Ok(shown::<ServerReply>(&server))
}

#[utoipa::path(
    post, path = "/api/admin/servers", tag = "servers", operation_id = "create_server",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateServerRequest,
    responses((status = 200, description = "Created", body = ServerReply, headers(("ETag" = String, description = "The resource's entity tag")), links(("GetServer" = (operation_id = "get_server", parameters(("server" = "$response.body#/server/uuid")))), ("UpdateServer" = (operation_id = "update_server", parameters(("server" = "$response.body#/server/uuid")))), ("DeleteServer" = (operation_id = "delete_server", parameters(("server" = "$response.body#/server/uuid")))))), (status = 409, description = "A unique field is taken, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("servers.create")))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateServerRequest>,
) -> Result<Shown<ServerReply>, ApiError> {
    let server = state
        .core
        .create_server(&caller, NewServer::try_from(request)?)
        .await?;
    Ok(shown::<ServerReply>(&server))
}

#[utoipa::path(
    patch, path = "/api/admin/servers/{server}", tag = "servers", operation_id = "update_server",
    params(("server" = uuid::Uuid, Path, description = "The server's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    request_body = UpdateServerRequest,
    responses((status = 200, description = "Updated", body = ServerReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 404, description = "No such server", body = Errors), (status = 409, description = "A unique field is taken", body = Errors), (status = 412, description = "The server changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("servers.update")))
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(server, _): Id<ids::Server>,
    IfMatch(precondition): IfMatch,
    Payload(request): Payload<UpdateServerRequest>,
) -> Result<Shown<ServerReply>, ApiError> {
    let uuid = server;
    let server = state
        .core
        .update_server(
            &caller,
            uuid,
            ServerPatch::try_from(request)?,
            &precondition,
        )
        .await?;
    Ok(shown::<ServerReply>(&server))
}

#[utoipa::path(
    delete, path = "/api/admin/servers/{server}", tag = "servers", operation_id = "delete_server",
    params(("server" = uuid::Uuid, Path, description = "The server's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    responses((status = 200, description = "Deleted", body = Empty), (status = 404, description = "No such server", body = Errors), (status = 412, description = "The server changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("servers.delete")))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(server, _): Id<ids::Server>,
    IfMatch(precondition): IfMatch,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .delete_server(&caller, server, &precondition)
        .await?;
    Ok(Json(Empty {}))
}
