use axum::Json;
use axum::extract::{Path, State};
use roster::Entity;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{ActivityListing, Caller, uuid_of};
use crate::state::AppState;

type Reply = Result<Json<Value>, ApiError>;

/// The whole activity log, newest first.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ActivityListing(query): ActivityListing,
) -> Reply {
    let page = state.core.list_activity(&caller, query).await?;
    Ok(Json(json!({ "activity": page })))
}

/// What one user did and what was done to them, newest first.
pub async fn of_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user): Path<String>,
    ActivityListing(query): ActivityListing,
) -> Reply {
    let uuid = uuid_of(&user, Entity::User)?;
    let page = state.core.list_user_activity(&caller, uuid, query).await?;
    Ok(Json(json!({ "activity": page })))
}
