use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Queues a delivery's message again, as a new message.
#[server(name = ResendDelivery, prefix = "/_roster", endpoint = "webhooks/resend")]
pub async fn resend_delivery(webhook: Uuid, delivery: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.resend_webhook_delivery(&principal, webhook, delivery)
        .await?;
    Ok(())
}
