use leptos::prelude::*;
use roster::domain::webhook::WebhookOverview;

use crate::error::AppError;

/// Every endpoint, oldest first, each with its ten newest deliveries.
#[server(name = ListWebhooks, prefix = "/_roster", endpoint = "webhooks/list")]
pub async fn list_webhooks() -> Result<Vec<WebhookOverview>, AppError> {
    use roster::domain::page::{ListParams, ListQuery};

    let (core, principal) = super::super::principal().await?;
    let recent = ListQuery::try_from(ListParams {
        per_page: Some("10".to_owned()),
        ..Default::default()
    })?;
    let mut overview = Vec::new();
    for webhook in core.list_webhooks(&principal).await? {
        let deliveries = core
            .webhook_deliveries(&principal, webhook.uuid, recent.clone())
            .await?
            .data;
        overview.push(WebhookOverview {
            webhook,
            deliveries,
        });
    }
    Ok(overview)
}
