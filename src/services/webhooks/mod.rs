//! Webhooks: endpoints that hear of every change they ask for, signed the Standard Webhooks way
//! (standardwebhooks.com), delivered at least once and in order, retried for three days.
//!
//! A change's messages are written by its own [`Write`](super::write::Write) when it commits, in
//! the same transaction ([`enqueue`]): a change that rolls back sends nothing, one that commits
//! is always delivered. The worker ([`delivery`]) claims the oldest message of each endpoint,
//! sends it, and records the attempt, on whichever instance claims it first.
//!
//! The signing secret must be at hand to sign, so it is kept as made; it is shown once, when made
//! or rotated, and never in a listing, a log or the activity log.

pub(crate) mod delivery;
pub(crate) mod enqueue;
mod net;

pub use delivery::WebhookSender;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::activity::{Changes, Target};
use super::{Core, now};
use crate::domain::activity::Event;
use crate::domain::page::{ListQuery, Page};
use crate::domain::webhook::{
    DeliveryState, NewWebhook, WEBHOOK_TEST_EVENT, Webhook, WebhookActor, WebhookAttempt,
    WebhookDelivery, WebhookMessage, WebhookMessageData, WebhookOverview, WebhookPatch,
    WebhookWithSecret,
};
use crate::error::{CoreError, Entity, FieldErrors, Refusal};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::{Tx, dialect, with_db, with_tx};

/// How webhooks are sent: what addresses they may reach, how long an attempt may take, and when
/// failed ones are tried again.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Plain `http://` endpoints (`ROSTER_WEBHOOK_ALLOW_HTTP=true`); https only otherwise.
    pub allow_http: bool,
    /// Hosts (names or addresses) reached even on loopback, private or link-local addresses
    /// (`ROSTER_WEBHOOK_ALLOW_HOSTS`).
    pub allow_hosts: Vec<String>,
    /// The wait before each retry; the last repeats.
    pub backoff: Vec<Duration>,
    /// How long a message is tried, and an endpoint may fail, before it is given up (disabled).
    pub give_up_after: Duration,
    /// How long one attempt may take, answer included.
    pub timeout: std::time::Duration,
    /// How long a worker's claim on a message holds.
    pub claim: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_hosts: Vec::new(),
            backoff: [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600]
                .into_iter()
                .map(Duration::seconds)
                .collect(),
            give_up_after: Duration::days(3),
            timeout: std::time::Duration::from_secs(10),
            claim: Duration::seconds(60),
        }
    }
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    uuid: Uuid,
    url: String,
    description: String,
    events: String,
    enabled: bool,
    failing_since: Option<DateTime<Utc>>,
    previous_until: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
}

const WEBHOOK_SELECT: &str = "SELECT uuid, url, description, events, enabled, failing_since, \
    previous_until, created FROM webhook_endpoints";

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            uuid: row.uuid,
            url: row.url,
            description: row.description,
            events: serde_json::from_str(&row.events).unwrap_or_default(),
            enabled: row.enabled,
            failing_since: row.failing_since,
            previous_secret_until: row.previous_until.filter(|until| *until > now()),
            created: row.created,
        }
    }
}

/// An endpoint as the log keeps it: never its secret.
fn snapshot(webhook: &Webhook) -> serde_json::Value {
    serde_json::json!({
        "url": webhook.url,
        "description": webhook.description,
        "events": webhook.events,
        "enabled": webhook.enabled,
    })
}

fn target(webhook: &Webhook) -> Option<Target> {
    Some(Target::webhook(webhook.uuid, &webhook.url))
}

/// A new signing secret: `whsec_` and the base64 of 32 random bytes.
fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

async fn webhook_in(tx: &mut Tx, uuid: Uuid) -> Result<Webhook, CoreError> {
    let sql = format!(
        "{WEBHOOK_SELECT} WHERE uuid = $1{}",
        dialect::lock_row(tx.backend())
    );
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, WebhookRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    row.map(Webhook::from)
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Webhook)))
}

impl Core {
    /// Refuses an endpoint Roster would not send to: plain http unless allowed.
    fn check_webhook_url(&self, url: &crate::domain::webhook::WebhookUrl) -> Result<(), CoreError> {
        if !url.is_https() && !self.webhooks.allow_http {
            let mut errors = FieldErrors::new();
            errors.push(
                "url",
                "must start with https:// (plain http needs ROSTER_WEBHOOK_ALLOW_HTTP=true)",
            );
            return Err(CoreError::Refused(Refusal::Invalid(errors)));
        }
        Ok(())
    }

    /// Every endpoint, oldest first.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_webhooks(&self, principal: &Principal) -> Result<Vec<Webhook>, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        let sql = format!("{WEBHOOK_SELECT} ORDER BY created, uuid");
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, WebhookRow>(&sql).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_webhook(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<Webhook, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        let sql = format!("{WEBHOOK_SELECT} WHERE uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, WebhookRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        row.map(Webhook::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Webhook)))
    }

    /// Makes an endpoint; the answer holds its secret, shown this once.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_webhook(
        &self,
        principal: &Principal,
        input: NewWebhook,
    ) -> Result<WebhookWithSecret, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksCreate)?;
        self.check_webhook_url(&input.url)?;
        let uuid = Uuid::new_v4();
        let secret = new_secret();
        let owner = Some(principal.user.uuid).filter(|u| !u.is_nil());
        let mut tx = self.write(principal).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO webhook_endpoints (uuid, url, description, events, enabled, secret, \
                 owner_uuid, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid)
            .bind(input.url.as_str())
            .bind(&input.description)
            .bind(serde_json::to_string(input.events.as_slice()).unwrap_or_default())
            .bind(input.enabled)
            .bind(&secret)
            .bind(owner)
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let webhook = webhook_in(&mut tx, uuid).await?;
        let changes = Changes::created(snapshot(&webhook));
        tx.record(Event::WebhookCreate, target(&webhook), changes)
            .await?;
        tx.commit().await?;
        Ok(WebhookWithSecret { webhook, secret })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_webhook(
        &self,
        principal: &Principal,
        uuid: Uuid,
        patch: WebhookPatch,
    ) -> Result<Webhook, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksUpdate)?;
        if let Some(url) = &patch.url {
            self.check_webhook_url(url)?;
        }
        let mut tx = self.write(principal).await?;
        let current = webhook_in(&mut tx, uuid).await?;
        let events = match &patch.events {
            Some(events) => events.as_slice().to_vec(),
            None => current.events.clone(),
        };
        let enabled = patch.enabled.unwrap_or(current.enabled);
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE webhook_endpoints SET url = $2, description = $3, events = $4, \
                 enabled = $5, failing_since = CASE WHEN $5 AND NOT enabled THEN NULL \
                 ELSE failing_since END WHERE uuid = $1",
            )
            .bind(uuid)
            .bind(patch.url.as_ref().map_or(current.url.as_str(), |u| u.as_str()))
            .bind(patch.description.as_deref().unwrap_or(&current.description))
            .bind(serde_json::to_string(&events).unwrap_or_default())
            .bind(enabled)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let updated = webhook_in(&mut tx, uuid).await?;
        let changes = Changes::between(snapshot(&current), snapshot(&updated));
        tx.record(Event::WebhookUpdate, target(&updated), changes)
            .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Deletes an endpoint with the messages waiting for it.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_webhook(&self, principal: &Principal, uuid: Uuid) -> Result<(), CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksDelete)?;
        let mut tx = self.write(principal).await?;
        let current = webhook_in(&mut tx, uuid).await?;
        tx.record(
            Event::WebhookDelete,
            target(&current),
            Changes::deleted(snapshot(&current)),
        )
        .await?;
        super::delete_by_uuid(&mut tx, "webhook_endpoints", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives an endpoint a new secret; the previous one signs beside it for a day, so that the
    /// receiver can switch without a gap.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn rotate_webhook_secret(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<WebhookWithSecret, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksUpdate)?;
        let secret = new_secret();
        let mut tx = self.write(principal).await?;
        webhook_in(&mut tx, uuid).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $2, \
                 secret = $3 WHERE uuid = $1",
            )
            .bind(uuid)
            .bind(now() + Duration::hours(24))
            .bind(&secret)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let webhook = webhook_in(&mut tx, uuid).await?;
        let changes = Changes::none().secret_changed("secret");
        tx.record(Event::WebhookUpdate, target(&webhook), changes)
            .await?;
        tx.commit().await?;
        Ok(WebhookWithSecret { webhook, secret })
    }

    /// Queues a `webhook:test` message to one endpoint, whatever events it wants.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn send_test_webhook(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<WebhookDelivery, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksUpdate)?;
        let mut tx = self.write(principal).await?;
        let webhook = webhook_in(&mut tx, uuid).await?;
        let at = now();
        let payload = serde_json::to_value(WebhookMessage {
            kind: WEBHOOK_TEST_EVENT.to_owned(),
            timestamp: at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            data: WebhookMessageData {
                object: None,
                changes: serde_json::json!({}),
                target: Some(serde_json::json!({
                    "type": "webhook", "uuid": webhook.uuid, "label": webhook.url,
                })),
                actor: WebhookActor {
                    uuid: Some(principal.user.uuid).filter(|u| !u.is_nil()),
                    username: Some(principal.user.username.clone()),
                    credential: None,
                    key: None,
                    impersonator: None,
                },
            },
        })
        .map_err(CoreError::internal)?;
        let delivery =
            enqueue::insert_delivery(&mut tx, webhook.uuid, WEBHOOK_TEST_EVENT, &payload, at)
                .await?;
        tx.commit().await?;
        self.delivery(delivery).await
    }

    /// Queues a delivery's message again, as a new message at the end of the endpoint's queue.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn resend_webhook_delivery(
        &self,
        principal: &Principal,
        webhook: Uuid,
        delivery: Uuid,
    ) -> Result<WebhookDelivery, CoreError> {
        principal.require(Permission::WebhooksRead)?;
        principal.require(Permission::WebhooksUpdate)?;
        let mut tx = self.write(principal).await?;
        webhook_in(&mut tx, webhook).await?;
        let found = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, (String, String)>(
                "SELECT event, payload FROM webhook_deliveries WHERE uuid = $1 AND endpoint_uuid = $2",
            )
            .bind(delivery)
            .bind(webhook)
            .fetch_optional(conn)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::WebhookDelivery)))?;
        let payload: serde_json::Value = serde_json::from_str(&found.1).unwrap_or_default();
        let again = enqueue::insert_delivery(&mut tx, webhook, &found.0, &payload, now()).await?;
        tx.commit().await?;
        self.delivery(again).await
    }

    /// Every endpoint, oldest first, each with its ten newest messages: the console's page.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn webhook_overview(
        &self,
        principal: &Principal,
    ) -> Result<Vec<WebhookOverview>, CoreError> {
        let recent = ListQuery::try_from(crate::domain::page::ListParams {
            per_page: Some("10".to_owned()),
            ..Default::default()
        })?;
        let mut overview = Vec::new();
        for webhook in self.list_webhooks(principal).await? {
            let deliveries = self
                .webhook_deliveries(principal, webhook.uuid, recent.clone())
                .await?
                .data;
            overview.push(WebhookOverview {
                webhook,
                deliveries,
            });
        }
        Ok(overview)
    }

    /// An endpoint's messages, newest first, each with its attempts.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn webhook_deliveries(
        &self,
        principal: &Principal,
        webhook: Uuid,
        query: ListQuery,
    ) -> Result<Page<WebhookDelivery>, CoreError> {
        self.get_webhook(principal, webhook).await?;
        let total = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM webhook_deliveries WHERE endpoint_uuid = $1",
            )
            .bind(webhook)
            .fetch_one(pool)
            .await
        })?;
        let sql = format!(
            "SELECT id FROM webhook_deliveries WHERE endpoint_uuid = $1 ORDER BY id DESC \
             LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let ids = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(&sql).bind(webhook).fetch_all(pool).await
        })?;
        let mut data = Vec::with_capacity(ids.len());
        for id in ids {
            data.push(self.delivery(id).await?);
        }
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data,
        })
    }

    async fn delivery(&self, id: i64) -> Result<WebhookDelivery, CoreError> {
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (Uuid, String, String, String, DateTime<Utc>, DateTime<Utc>)>(
                "SELECT uuid, event, state, payload, created, next_attempt \
                 FROM webhook_deliveries WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(
            Entity::WebhookDelivery,
        )))?;
        let attempts = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (DateTime<Utc>, Option<i32>, i32, String)>(
                "SELECT attempted, status, duration_ms, response FROM webhook_attempts \
                 WHERE delivery_id = $1 ORDER BY id DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await
        })?;
        let state = match row.2.as_str() {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        };
        Ok(WebhookDelivery {
            uuid: row.0,
            event: row.1,
            state,
            payload: serde_json::from_str(&row.3).unwrap_or_default(),
            created: row.4,
            next_attempt: Some(row.5).filter(|_| state == DeliveryState::Pending),
            attempts: attempts
                .into_iter()
                .map(
                    |(attempted, status, duration_ms, response)| WebhookAttempt {
                        attempted,
                        status: status.and_then(|s| u16::try_from(s).ok()),
                        duration_ms: u32::try_from(duration_ms).unwrap_or_default(),
                        response,
                    },
                )
                .collect(),
        })
    }
}
