use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = DeleteMapping, prefix = "/_roster", endpoint = "oauth_providers/delete_mapping")]
pub async fn delete_mapping(provider: Uuid, uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core
        .delete_oauth_mapping(&principal, provider, uuid)
        .await?)
}
