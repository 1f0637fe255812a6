use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Turns an endpoint on or off; on again, its failing streak starts over.
#[server(name = SetWebhookEnabled, prefix = "/_roster", endpoint = "webhooks/set_enabled")]
pub async fn set_webhook_enabled(uuid: Uuid, enabled: bool) -> Result<(), AppError> {
    use roster::domain::webhook::WebhookPatch;

    let (core, principal) = super::super::principal().await?;
    let patch = WebhookPatch {
        enabled: Some(enabled),
        ..Default::default()
    };
    core.update_webhook(&principal, uuid, patch).await?;
    Ok(())
}
