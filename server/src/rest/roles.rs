use axum::Json;
use axum::extract::State;
use roster::domain::role::{CreateRoleRequest, NewRole, RolePatch, UpdateRoleRequest};

use super::conditional::{IfMatch, Shown, shown};
use super::error::ApiError;
use super::extract::{Caller, Id, Listing, Payload, ids};
use super::openapi::{Empty, Errors, ListParams, RoleReply, RolesReply, UsersReply};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/admin/roles", tag = "roles", operation_id = "list_roles",
    params(ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "A page of roles, oldest first", body = RolesReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified")),
    extensions(("x-required-permission" = json!("roles.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<RolesReply>, ApiError> {
    let page = state.core.list_roles(&caller, query).await?;
    Ok(Json(RolesReply { roles: page }))
}

#[utoipa::path(
    get, path = "/api/admin/roles/{role}", tag = "roles", operation_id = "get_role",
    params(("role" = uuid::Uuid, Path, description = "The role's uuid"), ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The role", body = RoleReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such role", body = Errors)),
    extensions(("x-required-permission" = json!("roles.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(role, _): Id<ids::Role>,
) -> Result<Shown<RoleReply>, ApiError> {
    let role = state.core.get_role(&caller, role).await?;
    Ok(shown::<RoleReply>(&role))
}

#[utoipa::path(
    get, path = "/api/admin/roles/{role}/users", tag = "roles", operation_id = "list_role_users",
    params(("role" = uuid::Uuid, Path, description = "The role's uuid"), ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "A page of the role's members, oldest first", body = UsersReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such role", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn users(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(role, _): Id<ids::Role>,
    Listing(query): Listing,
) -> Result<Json<UsersReply>, ApiError> {
    let page = state.core.list_role_users(&caller, role, query).await?;
    Ok(Json(UsersReply { users: page }))
}

#[utoipa::path(
    post, path = "/api/admin/roles", tag = "roles", operation_id = "create_role",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateRoleRequest,
    responses((status = 200, description = "Created", body = RoleReply, headers(("ETag" = String, description = "The resource's entity tag")), links(("GetRole" = (operation_id = "get_role", parameters(("role" = "$response.body#/role/uuid")))), ("UpdateRole" = (operation_id = "update_role", parameters(("role" = "$response.body#/role/uuid")))), ("DeleteRole" = (operation_id = "delete_role", parameters(("role" = "$response.body#/role/uuid")))))), (status = 409, description = "A unique field is taken, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("roles.create")))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateRoleRequest>,
) -> Result<Shown<RoleReply>, ApiError> {
    let role = state
        .core
        .create_role(&caller, NewRole::try_from(request)?)
        .await?;
    Ok(shown::<RoleReply>(&role))
}

#[utoipa::path(
    patch, path = "/api/admin/roles/{role}", tag = "roles", operation_id = "update_role",
    params(("role" = uuid::Uuid, Path, description = "The role's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    request_body = UpdateRoleRequest,
    responses((status = 200, description = "Updated", body = RoleReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 404, description = "No such role", body = Errors), (status = 409, description = "A unique field is taken", body = Errors), (status = 412, description = "The role changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("roles.update")))
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(role, _): Id<ids::Role>,
    IfMatch(precondition): IfMatch,
    Payload(request): Payload<UpdateRoleRequest>,
) -> Result<Shown<RoleReply>, ApiError> {
    let uuid = role;
    let role = state
        .core
        .update_role(&caller, uuid, RolePatch::try_from(request)?, &precondition)
        .await?;
    Ok(shown::<RoleReply>(&role))
}

#[utoipa::path(
    delete, path = "/api/admin/roles/{role}", tag = "roles", operation_id = "delete_role",
    params(("role" = uuid::Uuid, Path, description = "The role's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    responses((status = 200, description = "Deleted", body = Empty), (status = 404, description = "No such role", body = Errors), (status = 412, description = "The role changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("roles.delete")))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(role, _): Id<ids::Role>,
    IfMatch(precondition): IfMatch,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_role(&caller, role, &precondition).await?;
    Ok(Json(Empty {}))
}
