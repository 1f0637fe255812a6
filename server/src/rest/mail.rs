use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{Caller, Listing};
use crate::state::AppState;

/// The mail outbox, newest first (global admins only: waiting mail shows its link).
pub async fn outbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<Value>, ApiError> {
    let page = state.core.list_outbox(&caller, query).await?;
    Ok(Json(json!({ "mail": page })))
}
