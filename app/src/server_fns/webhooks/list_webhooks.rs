use leptos::prelude::*;
use roster::domain::webhook::WebhookOverview;

use crate::error::AppError;

/// Every endpoint, oldest first, each with its ten newest deliveries.
#[server(name = ListWebhooks, prefix = "/_roster", endpoint = "webhooks/list")]
pub async fn list_webhooks() -> Result<Vec<WebhookOverview>, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.webhook_overview(&principal).await?)
}
