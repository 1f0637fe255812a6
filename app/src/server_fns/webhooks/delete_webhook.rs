use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = DeleteWebhook, prefix = "/_roster", endpoint = "webhooks/delete")]
pub async fn delete_webhook(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.delete_webhook(&principal, uuid).await?)
}
