use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Queues a `webhook:test` message for the endpoint.
#[server(name = SendTestWebhook, prefix = "/_roster", endpoint = "webhooks/send_test")]
pub async fn send_test_webhook(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.send_test_webhook(&principal, uuid).await?;
    Ok(())
}
