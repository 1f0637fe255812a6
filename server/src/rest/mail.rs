use axum::Json;
use axum::extract::State;

use super::error::ApiError;
use super::extract::{Caller, Listing};
use super::openapi::{ListParams, MailReply};
use crate::state::AppState;

/// The mail outbox, newest first (global admins only: waiting mail shows its link).
#[utoipa::path(
    get, path = "/api/admin/mail", tag = "system", operation_id = "list_mail",
    params(ListParams, ("If-None-Match" = Option<String>, Header, description = "Answer 304 if the resource still has this entity tag")),
    responses((status = 200, description = "The mail outbox, newest first (global admins only)", body = MailReply, headers(("ETag" = String, description = "The resource's entity tag"))), (status = 304, description = "Not modified"))
)]
pub async fn outbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<MailReply>, ApiError> {
    let page = state.core.list_outbox(&caller, query).await?;
    Ok(Json(MailReply { mail: page }))
}
