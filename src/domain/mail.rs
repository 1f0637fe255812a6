use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::serde_helpers::{optional_timestamp, timestamp};

/// A mail in the outbox, as an operator reads it. While it waits, `body_text` holds its link, so
/// that it can be handed over by hand when no SMTP server is configured; once sent, the link is
/// gone from it.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub uuid: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    pub attempts: i64,
    #[serde(serialize_with = "optional_timestamp")]
    pub sent: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}
