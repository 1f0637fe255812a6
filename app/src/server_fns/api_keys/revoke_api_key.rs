use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = RevokeApiKey, prefix = "/_roster", endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.revoke_api_key(&principal, uuid).await?)
}
