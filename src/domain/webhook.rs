//! Webhooks: endpoints that hear of changes, and the deliveries that tell them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::activity::Event;
use super::serde_helpers::{double_option, optional_timestamp, timestamp};
use crate::error::{CoreError, FieldErrors, Refusal};

/// An endpoint as listed: never its signing secret.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub uuid: Uuid,
    pub url: String,
    pub description: String,
    /// Event names, or patterns such as `user:*` and `*`.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Since when every attempt has failed; `null` while deliveries succeed.
    #[serde(serialize_with = "optional_timestamp")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the previous secret still signs beside the current one, after a rotation.
    #[serde(serialize_with = "optional_timestamp")]
    pub previous_secret_until: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// An endpoint with its secret: answered only when it is made and when its secret is rotated.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookWithSecret {
    pub webhook: Webhook,
    /// `whsec_` and the base64 of the key, as the Standard Webhooks libraries take it.
    pub secret: String,
}

/// `POST /api/admin/webhooks` as sent.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateWebhookRequest {
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 2048))]
    pub url: String,
    #[cfg_attr(feature = "server", schema(max_length = 1024))]
    #[serde(default)]
    pub description: Option<String>,
    #[cfg_attr(feature = "server", schema(min_items = 1))]
    pub events: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PATCH /api/admin/webhooks/{webhook}` as sent: every field optional.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateWebhookRequest {
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 2048))]
    #[serde(default)]
    pub url: Option<String>,
    #[cfg_attr(feature = "server", schema(max_length = 1024))]
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A valid endpoint address: `http(s)://` with a host, at most 2048 characters. Whether plain
/// http and the host's addresses are allowed is decided where it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(value: String) -> Result<Self, String> {
        let value = value.trim().to_owned();
        if value.chars().count() > 2048 {
            return Err("length is greater than 2048".to_owned());
        }
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or("must start with https://")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains('@') {
            return Err("must name a host (and no user or password)".to_owned());
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces".to_owned());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// The events an endpoint wants: names of events, `<kind>:*` for every event of a kind, or `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPatterns(Vec<String>);

impl EventPatterns {
    pub fn parse(patterns: Vec<String>) -> Result<Self, String> {
        if patterns.is_empty() {
            return Err("name at least one event".to_owned());
        }
        let mut kept = Vec::new();
        for pattern in patterns {
            let pattern = pattern.trim().to_owned();
            let known = pattern == "*"
                || pattern == WEBHOOK_TEST_EVENT
                || Event::ALL.iter().any(|e| e.as_str() == pattern)
                || pattern.strip_suffix(":*").is_some_and(|kind| {
                    Event::ALL
                        .iter()
                        .any(|e| e.as_str().split(':').next() == Some(kind))
                });
            if !known {
                return Err(format!("unknown event `{pattern}`"));
            }
            if !kept.contains(&pattern) {
                kept.push(pattern);
            }
        }
        Ok(Self(kept))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// Whether an endpoint wanting `patterns` hears of `event`.
pub fn wants(patterns: &[String], event: &str) -> bool {
    patterns.iter().any(|pattern| {
        pattern == "*"
            || pattern == event
            || pattern
                .strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with(':') && event.starts_with(prefix))
    })
}

/// The event of **Send test event**.
pub const WEBHOOK_TEST_EVENT: &str = "webhook:test";

#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub description: String,
    pub events: EventPatterns,
    pub enabled: bool,
}

impl TryFrom<CreateWebhookRequest> for NewWebhook {
    type Error = CoreError;

    fn try_from(request: CreateWebhookRequest) -> Result<Self, CoreError> {
        let mut errors = FieldErrors::new();
        let url = errors.check("url", WebhookUrl::parse(request.url));
        let events = errors.check("events", EventPatterns::parse(request.events));
        let description = request.description.unwrap_or_default();
        if description.chars().count() > 1024 {
            errors.push("description", "length is greater than 1024");
        }
        match (url, events) {
            (Some(url), Some(events)) if errors.is_empty() => Ok(NewWebhook {
                url,
                description,
                events,
                enabled: request.enabled.unwrap_or(true),
            }),
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct WebhookPatch {
    pub url: Option<WebhookUrl>,
    pub description: Option<String>,
    pub events: Option<EventPatterns>,
    pub enabled: Option<bool>,
}

impl TryFrom<UpdateWebhookRequest> for WebhookPatch {
    type Error = CoreError;

    fn try_from(request: UpdateWebhookRequest) -> Result<Self, CoreError> {
        let mut errors = FieldErrors::new();
        let url = request
            .url
            .and_then(|url| errors.check("url", WebhookUrl::parse(url)));
        let events = request
            .events
            .and_then(|events| errors.check("events", EventPatterns::parse(events)));
        let description = request.description.map(Option::unwrap_or_default);
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1024)
        {
            errors.push("description", "length is greater than 1024");
        }
        if !errors.is_empty() {
            return Err(CoreError::Refused(Refusal::Invalid(errors)));
        }
        Ok(WebhookPatch {
            url,
            description,
            events,
            enabled: request.enabled,
        })
    }
}

/// A webhook message's body, as endpoints receive it.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookMessage {
    /// The event: an activity log event's name, or `webhook:test`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the change was made (RFC 3339, UTC, microseconds).
    pub timestamp: String,
    pub data: WebhookMessageData,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookMessageData {
    /// The user or role after the change, as the REST API shows it; `null` once deleted and for
    /// other kinds of record.
    #[cfg_attr(feature = "server", schema(value_type = Option<Object>))]
    pub object: Option<Value>,
    /// The activity row's fields: `{"<field>": {"before": …, "after": …}}` (a secret only as
    /// `"changed"`).
    #[cfg_attr(feature = "server", schema(value_type = Object))]
    pub changes: Value,
    /// What was changed, as the activity log names it.
    #[cfg_attr(feature = "server", schema(value_type = Option<Object>))]
    pub target: Option<Value>,
    pub actor: WebhookActor,
}

/// Who made a change, and with what credential.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookActor {
    pub uuid: Option<Uuid>,
    pub username: Option<String>,
    /// `session`, `api_key`, `operator`, or `null` before anyone proved who they are.
    pub credential: Option<String>,
    /// The API key's name, when a key made the change.
    pub key: Option<String>,
    /// Who acted as `username`, when someone did.
    pub impersonator: Option<String>,
}

/// An endpoint with its newest deliveries, as the console shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookOverview {
    pub webhook: Webhook,
    pub deliveries: Vec<WebhookDelivery>,
}

/// Where a delivery stands.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt or its next one.
    Pending,
    Delivered,
    /// Given up after three days of failed attempts.
    Failed,
}

/// One message to one endpoint, with its attempts, newest first.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The message's id, sent as `webhook-id`.
    pub uuid: Uuid,
    pub event: String,
    pub state: DeliveryState,
    /// The body sent: `{type, timestamp, data}`.
    pub payload: Value,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "optional_timestamp")]
    pub next_attempt: Option<DateTime<Utc>>,
    pub attempts: Vec<WebhookAttempt>,
}

/// One try at a delivery: what the endpoint answered and how long it took.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    #[serde(serialize_with = "timestamp")]
    pub attempted: DateTime<Utc>,
    /// The HTTP status; `null` when nothing answered (refused address, timeout, ...).
    pub status: Option<u16>,
    pub duration_ms: u32,
    /// The first kilobyte of the answer's body, or why there was none.
    pub response: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_known_events_and_match_by_kind() {
        assert!(EventPatterns::parse(vec!["user:*".into(), "role:create".into()]).is_ok());
        assert!(EventPatterns::parse(vec!["usr:*".into()]).is_err());
        assert!(EventPatterns::parse(vec!["user:fly".into()]).is_err());
        assert!(EventPatterns::parse(Vec::new()).is_err());
        let patterns = vec!["user:*".to_owned(), "role:create".to_owned()];
        assert!(wants(&patterns, "user:update"));
        assert!(wants(&patterns, "user:two-factor.disable"));
        assert!(wants(&patterns, "role:create"));
        assert!(!wants(&patterns, "role:delete"));
        assert!(!wants(&patterns, "users:update"));
        assert!(wants(&["*".to_owned()], "auth:success"));
    }

    #[test]
    fn urls_are_http_with_a_host() {
        assert!(WebhookUrl::parse("https://hooks.example.com/roster".into()).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/".into()).is_ok());
        assert!(WebhookUrl::parse("ftp://example.com".into()).is_err());
        assert!(WebhookUrl::parse("https:///path".into()).is_err());
        assert!(WebhookUrl::parse("https://user:pw@example.com".into()).is_err());
        assert!(WebhookUrl::parse("https://exa mple.com".into()).is_err());
    }
}
