use axum::Json;
use axum::extract::State;

use super::error::ApiError;
use super::extract::{ActivityListing, Caller, Id, ids};
use super::openapi::{ActivityParams, ActivityReply, Errors};
use crate::state::AppState;

/// The whole activity log, newest first.
#[utoipa::path(
    get, path = "/api/admin/activity", tag = "activity", operation_id = "list_activity",
    params(ActivityParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The activity log, newest first", body = ActivityReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified")),
    extensions(("x-required-permission" = json!("activity.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ActivityListing(query): ActivityListing,
) -> Result<Json<ActivityReply>, ApiError> {
    let page = state.core.list_activity(&caller, query).await?;
    Ok(Json(ActivityReply { activities: page }))
}

/// What one user did and what was done to them, newest first.
#[utoipa::path(
    get, path = "/api/admin/users/{user}/activity", tag = "activity", operation_id = "list_user_activity",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ActivityParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "What the user did and what was done to them, newest first", body = ActivityReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("users.activity")))
)]
pub async fn of_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    ActivityListing(query): ActivityListing,
) -> Result<Json<ActivityReply>, ApiError> {
    let uuid = user;
    let page = state.core.list_user_activity(&caller, uuid, query).await?;
    Ok(Json(ActivityReply { activities: page }))
}
