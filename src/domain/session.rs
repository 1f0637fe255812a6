use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::serde_helpers::timestamp;

/// One of a user's open sessions, as they see it when deciding which to end. The token is
/// never part of it.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub uuid: Uuid,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    pub last_seen: DateTime<Utc>,
    #[serde(serialize_with = "timestamp")]
    pub expires: DateTime<Utc>,
    pub user_agent: Option<String>,
    /// The browser and system the user agent names, e.g. `Chrome 156 on Linux`; absent when
    /// it names neither.
    pub device: Option<String>,
    pub ip: Option<String>,
    /// Whether this is the session the request came with.
    pub current: bool,
}
