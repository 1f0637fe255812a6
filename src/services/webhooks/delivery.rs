//! Sending messages: the oldest waiting message of each endpoint is claimed under a token of the
//! worker's own, signed, posted (no redirects, a bounded time and answer), and its attempt
//! recorded only while the claim is still the worker's, so no attempt is made twice whatever
//! number of instances run. A failed message waits its backoff, and holds back the endpoint's
//! later messages meanwhile: each endpoint gets its messages in order. A message failing for
//! [`WebhookSettings::give_up_after`] is given up; an endpoint failing that long is turned off
//! and its owner told by mail.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::WebhookSettings;
use super::net::{GuardedResolver, allowed_host, reachable};
use crate::error::CoreError;
use crate::services::mail::{Template, queue_mail};
use crate::services::{Core, now};
use crate::store::{dialect, with_db, with_tx};

/// How many messages one round claims (one per endpoint).
const BATCH: i64 = 20;

/// How much of an answer's body is kept.
const KEPT_BYTES: usize = 1024;

/// What sends webhooks: an HTTP client that follows no redirect and reaches only addresses
/// outside the machine's networks (see [`super::net`]).
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    settings: Arc<WebhookSettings>,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender").finish_non_exhaustive()
    }
}

impl WebhookSender {
    pub fn new(settings: WebhookSettings) -> Result<Self, CoreError> {
        let resolver = GuardedResolver {
            allow: Arc::new(settings.allow_hosts.clone()),
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .dns_resolver(Arc::new(resolver))
            .user_agent("Roster-Webhooks/1")
            .build()
            .map_err(CoreError::internal)?;
        Ok(Self {
            client,
            settings: Arc::new(settings),
        })
    }
}

/// The signatures of a message, one per secret (`v1,<base64 HMAC-SHA256>`, space-separated), as
/// Standard Webhooks signs `<id>.<timestamp>.<body>` with the key the secret names.
pub(crate) fn signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let engine = base64::engine::general_purpose::STANDARD;
    secrets
        .iter()
        .filter_map(|secret| {
            let key = engine.decode(secret.trim_start_matches("whsec_")).ok()?;
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", engine.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    uuid: Uuid,
    endpoint_uuid: Uuid,
    payload: String,
    attempts: i32,
    created: DateTime<Utc>,
    url: String,
    secret: String,
    previous_secret: Option<String>,
    previous_until: Option<DateTime<Utc>>,
}

/// What an attempt came to.
struct Outcome {
    status: Option<u16>,
    duration_ms: i32,
    response: String,
}

impl Outcome {
    fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Refuses what may not be reached before anything is sent: plain http unless allowed, and an
/// address (not a name: names are checked as they resolve) inside the machine's networks.
fn refusal(url: &reqwest::Url, settings: &WebhookSettings) -> Option<String> {
    match url.scheme() {
        "https" => {}
        "http" if settings.allow_http => {}
        _ => return Some("only https endpoints are reached".to_owned()),
    }
    let host = url.host_str()?;
    if allowed_host(&settings.allow_hosts, host) {
        return None;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) if !reachable(ip) => Some(format!("{host} is an address webhooks may not reach")),
        _ => None,
    }
}

async fn attempt(sender: &WebhookSender, due: &Due) -> Outcome {
    let started = Instant::now();
    let elapsed =
        |started: Instant| i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let url = match reqwest::Url::parse(&due.url) {
        Ok(url) => url,
        Err(error) => {
            return Outcome {
                status: None,
                duration_ms: 0,
                response: format!("invalid URL: {error}"),
            };
        }
    };
    if let Some(reason) = refusal(&url, &sender.settings) {
        return Outcome {
            status: None,
            duration_ms: 0,
            response: reason,
        };
    }
    let timestamp = Utc::now().timestamp();
    let id = due.uuid.to_string();
    let mut secrets = vec![due.secret.as_str()];
    if let (Some(previous), Some(until)) = (&due.previous_secret, due.previous_until)
        && until > now()
    {
        secrets.push(previous);
    }
    let signed = signature(&secrets, &id, timestamp, &due.payload);
    let request = sender
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(due.payload.clone());
    let sent = async {
        let mut response = request.send().await?;
        let status = response.status().as_u16();
        let mut kept = Vec::new();
        while kept.len() < KEPT_BYTES {
            match response.chunk().await? {
                Some(chunk) => kept.extend_from_slice(&chunk),
                None => break,
            }
        }
        kept.truncate(KEPT_BYTES);
        Ok::<_, reqwest::Error>((status, String::from_utf8_lossy(&kept).into_owned()))
    };
    match tokio::time::timeout(sender.settings.timeout, sent).await {
        Ok(Ok((status, body))) => Outcome {
            status: Some(status),
            duration_ms: elapsed(started),
            response: body,
        },
        Ok(Err(error)) => Outcome {
            status: None,
            duration_ms: elapsed(started),
            response: describe(error),
        },
        Err(_) => Outcome {
            status: None,
            duration_ms: elapsed(started),
            response: "no answer in time".to_owned(),
        },
    }
}

/// A failed request as an admin reads it: what went wrong, without the URL again.
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text.chars().take(KEPT_BYTES).collect()
}

impl Core {
    /// One round of the webhook worker: claims the oldest due message of each endpoint, sends
    /// them side by side, and records each attempt. Answers how many were delivered.
    pub async fn deliver_due_webhooks(&self, sender: &WebhookSender) -> Result<usize, CoreError> {
        let claim = Uuid::new_v4();
        let due = self.claim_due_webhooks(claim, &sender.settings).await?;
        let mut running = tokio::task::JoinSet::new();
        for message in due {
            let sender = sender.clone();
            running.spawn(async move {
                let outcome = attempt(&sender, &message).await;
                (message, outcome)
            });
        }
        let mut delivered = 0;
        while let Some(done) = running.join_next().await {
            let Ok((message, outcome)) = done else {
                continue;
            };
            if outcome.delivered() {
                delivered += 1;
            }
            if let Err(error) = self
                .record_attempt(claim, &message, &outcome, &sender.settings)
                .await
            {
                tracing::warn!(%error, delivery = %message.uuid, "a webhook attempt was not recorded");
            }
        }
        Ok(delivered)
    }

    async fn claim_due_webhooks(
        &self,
        claim: Uuid,
        settings: &WebhookSettings,
    ) -> Result<Vec<Due>, CoreError> {
        let at = now();
        let mut tx = self.upkeep().await?;
        let sql = format!(
            "SELECT d.id, d.uuid, d.endpoint_uuid, d.payload, d.attempts, d.created, e.url, \
             e.secret, e.previous_secret, e.previous_until \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.uuid = d.endpoint_uuid \
             WHERE d.state = 'pending' AND e.enabled = TRUE AND d.next_attempt <= $1 \
             AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
             AND d.id = (SELECT min(x.id) FROM webhook_deliveries x \
                         WHERE x.endpoint_uuid = d.endpoint_uuid AND x.state = 'pending') \
             ORDER BY d.id LIMIT {BATCH}{}",
            dialect::skip_locked_of(tx.backend(), "d")
        );
        let due = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, Due>(&sql).bind(at).fetch_all(conn).await
        })?;
        if due.is_empty() {
            return Ok(due);
        }
        let mut claimed = Vec::with_capacity(due.len());
        for message in due {
            let taken = with_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET claimed_until = $2, claim_token = $3 \
                     WHERE id = $1 AND (claimed_until IS NULL OR claimed_until <= $4)",
                )
                .bind(message.id)
                .bind(at + settings.claim)
                .bind(claim)
                .bind(at)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
            })?;
            if taken == 1 {
                claimed.push(message);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record_attempt(
        &self,
        claim: Uuid,
        message: &Due,
        outcome: &Outcome,
        settings: &WebhookSettings,
    ) -> Result<(), CoreError> {
        let at = now();
        let delivered = outcome.delivered();
        let given_up = !delivered && at - message.created >= settings.give_up_after;
        let state = match (delivered, given_up) {
            (true, _) => "delivered",
            (false, true) => "failed",
            (false, false) => "pending",
        };
        let wait = settings
            .backoff
            .get(usize::try_from(message.attempts).unwrap_or_default())
            .or(settings.backoff.last())
            .copied()
            .unwrap_or_else(|| chrono::Duration::seconds(5));
        let mut tx = self.upkeep().await?;
        let recorded = with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, \
                 next_attempt = $4, finished = $5, claimed_until = NULL, claim_token = NULL \
                 WHERE id = $1 AND claim_token = $2",
            )
            .bind(message.id)
            .bind(claim)
            .bind(state)
            .bind(at + wait)
            .bind((state != "pending").then_some(at))
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?;
        if recorded == 0 {
            tracing::warn!(delivery = %message.uuid, "a webhook's claim lapsed while it was sent");
            return Ok(());
        }
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO webhook_attempts (delivery_id, attempted, status, duration_ms, \
                 response) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(message.id)
            .bind(at)
            .bind(outcome.status.map(i32::from))
            .bind(outcome.duration_ms)
            .bind(&outcome.response)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        if delivered {
            with_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE webhook_endpoints SET failing_since = NULL \
                     WHERE uuid = $1 AND failing_since IS NOT NULL",
                )
                .bind(message.endpoint_uuid)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        } else {
            self.note_failing(&mut tx, message.endpoint_uuid, at, settings)
                .await?;
        }
        tx.commit().await
    }

    /// Marks an endpoint as failing since now (unless it already is); one failing for longer
    /// than messages are tried is turned off, and the admin who made it is told by mail.
    async fn note_failing(
        &self,
        tx: &mut crate::services::write::Write<'_>,
        endpoint: Uuid,
        at: DateTime<Utc>,
        settings: &WebhookSettings,
    ) -> Result<(), CoreError> {
        let since = with_tx!(tx, conn => {
            sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
                "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
                 WHERE uuid = $1 RETURNING failing_since",
            )
            .bind(endpoint)
            .bind(at)
            .fetch_optional(conn)
            .await
        })?
        .flatten();
        let Some(since) = since else {
            return Ok(());
        };
        if at - since < settings.give_up_after {
            return Ok(());
        }
        let owner = with_tx!(tx, conn => {
            sqlx::query_as::<_, (String, Option<String>, Option<String>)>(
                "UPDATE webhook_endpoints SET enabled = FALSE WHERE uuid = $1 AND enabled = TRUE \
                 RETURNING url, (SELECT username FROM users WHERE uuid = owner_uuid), \
                 (SELECT email FROM users WHERE uuid = owner_uuid)",
            )
            .bind(endpoint)
            .fetch_optional(conn)
            .await
        })?;
        if let Some((url, Some(username), Some(email))) = owner {
            tracing::warn!(%endpoint, "a webhook endpoint failing for days was turned off");
            queue_mail(
                tx,
                &email,
                Template::WebhookDisabled {
                    username: &username,
                    url: &url,
                },
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// Deletes messages older than `before` (the activity log's retention), with their attempts.
    pub async fn purge_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, CoreError> {
        let deleted = with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM webhook_deliveries WHERE created <= $1 AND state <> 'pending'")
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_signed_as_standard_webhooks_shows() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(
            signature(&[secret, secret], id, 1614265330, body)
                .split(' ')
                .count(),
            2
        );
    }
}
