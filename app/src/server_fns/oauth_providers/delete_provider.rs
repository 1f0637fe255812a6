use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Deletes a provider with its mappings and every user's link to it.
#[server(name = DeleteProvider, prefix = "/_roster", endpoint = "oauth_providers/delete")]
pub async fn delete_provider(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.delete_oauth_provider(&principal, uuid).await?)
}
