use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = EndSession, prefix = "/_roster", endpoint = "sessions/end")]
pub async fn end_session(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.end_session(&principal, uuid).await?)
}
