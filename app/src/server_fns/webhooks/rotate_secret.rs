use leptos::prelude::*;
use roster::domain::webhook::WebhookWithSecret;
use uuid::Uuid;

use crate::error::AppError;

/// A new secret, shown once; the previous one signs beside it for a day.
#[server(name = RotateWebhookSecret, prefix = "/_roster", endpoint = "webhooks/rotate_secret")]
pub async fn rotate_webhook_secret(uuid: Uuid) -> Result<WebhookWithSecret, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.rotate_webhook_secret(&principal, uuid).await?)
}
