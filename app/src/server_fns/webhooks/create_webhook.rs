use leptos::prelude::*;
use roster::domain::webhook::WebhookWithSecret;

use crate::error::AppError;

/// Makes an endpoint; `events` are separated by commas or spaces. The answer holds the secret,
/// shown once.
#[server(name = CreateWebhook, prefix = "/_roster", endpoint = "webhooks/create")]
pub async fn create_webhook(
    url: String,
    #[server(default)] description: Option<String>,
    events: String,
) -> Result<WebhookWithSecret, AppError> {
    use roster::domain::webhook::{CreateWebhookRequest, NewWebhook};

    let (core, principal) = super::super::principal().await?;
    let request = CreateWebhookRequest {
        url,
        description: super::super::non_empty(description),
        events: events
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        enabled: Some(true),
    };
    Ok(core
        .create_webhook(&principal, NewWebhook::try_from(request)?)
        .await?)
}
