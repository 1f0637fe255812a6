//! Webhook endpoints and their deliveries (a Roster extension; Calagopus has none).

use axum::Json;
use axum::extract::State;
use roster::domain::webhook::{
    CreateWebhookRequest, NewWebhook, UpdateWebhookRequest, WebhookPatch, WebhookWithSecret,
};

use super::error::ApiError;
use super::extract::{Caller, Id, Ids, Listing, Payload, ids};
use super::openapi::{
    DeliveriesReply, DeliveryReply, Empty, Errors, ListParams, WebhookReply, WebhooksReply,
};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/admin/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    responses((status = 200, description = "Every endpoint, oldest first; never a secret", body = WebhooksReply)),
    extensions(("x-required-permission" = json!("webhooks.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<WebhooksReply>, ApiError> {
    let webhooks = state.core.list_webhooks(&caller).await?;
    Ok(Json(WebhooksReply { webhooks }))
}

#[utoipa::path(
    post, path = "/api/admin/webhooks", tag = "webhooks", operation_id = "create_webhook",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateWebhookRequest,
    responses((status = 200, description = "Created; the answer holds the signing secret, shown this once", body = WebhookWithSecret), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.create")))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateWebhookRequest>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    let created = state
        .core
        .create_webhook(&caller, NewWebhook::try_from(request)?)
        .await?;
    Ok(Json(created))
}

#[utoipa::path(
    get, path = "/api/admin/webhooks/{webhook}", tag = "webhooks", operation_id = "get_webhook",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid")),
    responses((status = 200, description = "The endpoint", body = WebhookReply), (status = 404, description = "No such endpoint", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
) -> Result<Json<WebhookReply>, ApiError> {
    let webhook = state.core.get_webhook(&caller, webhook).await?;
    Ok(Json(WebhookReply { webhook }))
}

#[utoipa::path(
    patch, path = "/api/admin/webhooks/{webhook}", tag = "webhooks", operation_id = "update_webhook",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid")),
    request_body = UpdateWebhookRequest,
    responses((status = 200, description = "Updated; turning an endpoint on again clears its failing streak", body = WebhookReply), (status = 404, description = "No such endpoint", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.update")))
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
    Payload(request): Payload<UpdateWebhookRequest>,
) -> Result<Json<WebhookReply>, ApiError> {
    let webhook = state
        .core
        .update_webhook(&caller, webhook, WebhookPatch::try_from(request)?)
        .await?;
    Ok(Json(WebhookReply { webhook }))
}

#[utoipa::path(
    delete, path = "/api/admin/webhooks/{webhook}", tag = "webhooks", operation_id = "delete_webhook",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid")),
    responses((status = 200, description = "Deleted, with the messages waiting for it", body = Empty), (status = 404, description = "No such endpoint", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.delete")))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_webhook(&caller, webhook).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/api/admin/webhooks/{webhook}/rotate-secret", tag = "webhooks", operation_id = "rotate_webhook_secret",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 200, description = "A new secret, shown this once; the previous one signs beside it for 24 hours", body = WebhookWithSecret), (status = 404, description = "No such endpoint", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.update")))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    Ok(Json(
        state.core.rotate_webhook_secret(&caller, webhook).await?,
    ))
}

#[utoipa::path(
    post, path = "/api/admin/webhooks/{webhook}/test", tag = "webhooks", operation_id = "send_test_webhook",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 200, description = "A `webhook:test` message is queued for the endpoint", body = DeliveryReply), (status = 404, description = "No such endpoint", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.update")))
)]
pub async fn test(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
) -> Result<Json<DeliveryReply>, ApiError> {
    let delivery = state.core.send_test_webhook(&caller, webhook).await?;
    Ok(Json(DeliveryReply { delivery }))
}

#[utoipa::path(
    get, path = "/api/admin/webhooks/{webhook}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid"), ListParams),
    responses((status = 200, description = "A page of the endpoint's messages, newest first, each with its attempts", body = DeliveriesReply), (status = 404, description = "No such endpoint", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.read")))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(webhook, _): Id<ids::Webhook>,
    Listing(query): Listing,
) -> Result<Json<DeliveriesReply>, ApiError> {
    let deliveries = state
        .core
        .webhook_deliveries(&caller, webhook, query)
        .await?;
    Ok(Json(DeliveriesReply { deliveries }))
}

#[utoipa::path(
    post, path = "/api/admin/webhooks/{webhook}/deliveries/{delivery}/resend", tag = "webhooks", operation_id = "resend_webhook_delivery",
    params(("webhook" = uuid::Uuid, Path, description = "The endpoint's uuid"), ("delivery" = uuid::Uuid, Path, description = "The message's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 200, description = "The message is queued again, as a new message with the same body", body = DeliveryReply), (status = 404, description = "No such endpoint or message", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("webhooks.update")))
)]
pub async fn resend(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(webhook, delivery, _): Ids<ids::Webhook, ids::WebhookDelivery>,
) -> Result<Json<DeliveryReply>, ApiError> {
    let delivery = state
        .core
        .resend_webhook_delivery(&caller, webhook, delivery)
        .await?;
    Ok(Json(DeliveryReply { delivery }))
}
