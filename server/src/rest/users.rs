use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster::domain::user::{CreateUserRequest, NewUser, UpdateUserRequest, UserPatch};

use super::conditional::{IfMatch, Shown, shown};
use super::error::ApiError;
use super::extract::{Caller, Exported, Id, Listing, Payload, ids};
use super::openapi::{
    Empty, Errors, ExportParams, ListParams, ServersReply, UserListParams, UserReply, UsersReply,
};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/admin/users", tag = "users", operation_id = "list_users",
    params(UserListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "A page of users, oldest first unless `sort` says otherwise", body = UsersReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified")),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<UsersReply>, ApiError> {
    let page = state.core.list_users(&caller, query).await?;
    Ok(Json(UsersReply { users: page }))
}

#[utoipa::path(
    get, path = "/api/admin/users/{user}", tag = "users", operation_id = "get_user",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The user", body = UserReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
) -> Result<Shown<UserReply>, ApiError> {
    let user = state.core.get_user(&caller, user).await?;
    Ok(shown::<UserReply>(&user))
}

#[utoipa::path(
    get, path = "/api/admin/users.csv", tag = "users", operation_id = "export_users",
    params(UserListParams, ExportParams),
    responses((status = 200, description = "Every user the search and filters select, in the order asked, as CSV (RFC 4180, UTF-8, a header record first, no page). A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return starts with `'`, so that spreadsheets show it rather than run it. Streamed as the users are read.", content_type = "text/csv", body = String), (status = 400, description = "A parameter is not valid", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn export(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
    Exported(columns): Exported,
) -> Result<Response, ApiError> {
    let chunks = state.core.export_users(&caller, &query, columns).await?;
    Ok(super::csv::reply(chunks, "users.csv"))
}

#[utoipa::path(
    get, path = "/api/admin/users/external/{external_id}", tag = "users", operation_id = "get_user_by_external_id",
    params(("external_id" = String, Path, description = "The id the user has in another system"), ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The user", body = UserReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn by_external_id(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(external_id): Path<String>,
) -> Result<Shown<UserReply>, ApiError> {
    let user = state
        .core
        .get_user_by_external_id(&caller, &external_id)
        .await?;
    Ok(shown::<UserReply>(&user))
}

#[utoipa::path(
    post, path = "/api/admin/users", tag = "users", operation_id = "create_user",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateUserRequest,
    responses((status = 200, description = "Created", body = UserReply, headers(("ETag" = String, description = "The resource's entity tag")), links(("GetUser" = (operation_id = "get_user", parameters(("user" = "$response.body#/user/uuid")))), ("UpdateUser" = (operation_id = "update_user", parameters(("user" = "$response.body#/user/uuid")))), ("DeleteUser" = (operation_id = "delete_user", parameters(("user" = "$response.body#/user/uuid")))))), (status = 409, description = "A unique field is taken, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.create")))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateUserRequest>,
) -> Result<Shown<UserReply>, ApiError> {
    let user = state
        .core
        .create_user(&caller, NewUser::try_from(request)?)
        .await?;
    Ok(shown::<UserReply>(&user))
}

#[utoipa::path(
    patch, path = "/api/admin/users/{user}", tag = "users", operation_id = "update_user",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    request_body = UpdateUserRequest,
    responses((status = 200, description = "Updated", body = UserReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 404, description = "No such user", body = Errors), (status = 409, description = "A unique field is taken", body = Errors), (status = 412, description = "The user changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("users.update")))
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    IfMatch(precondition): IfMatch,
    Payload(request): Payload<UpdateUserRequest>,
) -> Result<Shown<UserReply>, ApiError> {
    let uuid = user;
    let user = state
        .core
        .update_user(&caller, uuid, UserPatch::try_from(request)?, &precondition)
        .await?;
    Ok(shown::<UserReply>(&user))
}

#[utoipa::path(
    delete, path = "/api/admin/users/{user}", tag = "users", operation_id = "delete_user",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("If-Match" = Option<String>, Header, description = "Write only if the resource still has this entity tag (`*`: any); else 412")),
    responses((status = 200, description = "Deleted", body = Empty), (status = 404, description = "No such user", body = Errors), (status = 412, description = "The user changed since the entity tag of `If-Match`; nothing was written", body = Errors)),
    extensions(("x-required-permission" = json!("users.delete")))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    IfMatch(precondition): IfMatch,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_user(&caller, user, &precondition).await?;
    Ok(Json(Empty {}))
}

/// Mails the user a password reset link: 202, the mail goes out in the background.
#[utoipa::path(
    post, path = "/api/admin/users/{user}/email/reset-password", tag = "users", operation_id = "send_password_reset",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 202, description = "A reset link goes out by mail", body = Empty), (status = 404, description = "No such user", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.email")))
)]
pub async fn send_password_reset(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
) -> Result<(StatusCode, Json<Empty>), ApiError> {
    state.core.send_password_reset(&caller, user).await?;
    Ok((StatusCode::ACCEPTED, Json(Empty {})))
}

/// Turns off the user's two-factor sign-in; they are told by mail.
#[utoipa::path(
    delete, path = "/api/admin/users/{user}/two-factor", tag = "users", operation_id = "reset_two_factor",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid")),
    responses((status = 200, description = "The user's two-factor sign-in is off; they are told by mail", body = Empty), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("users.disable-two-factor")))
)]
pub async fn reset_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
) -> Result<Json<Empty>, ApiError> {
    state.core.reset_two_factor(&caller, user).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/admin/users/{user}/servers", tag = "users", operation_id = "list_user_servers",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The servers the user owns", body = ServersReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("servers.read")))
)]
pub async fn servers(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    Listing(query): Listing,
) -> Result<Json<ServersReply>, ApiError> {
    let uuid = user;
    let page = state.core.list_user_servers(&caller, uuid, query).await?;
    Ok(Json(ServersReply { servers: page }))
}
