//! WebAuthn security keys and passkeys as Calagopus shows them: a name the user gave, the
//! credential's id, and when it was last used.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::serde_helpers::{optional_timestamp, timestamp};
use crate::error::CoreError;

/// A user's security key. `credential_id` is the credential's id in unpadded base64url, empty
/// while the key's registration is not finished.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityKey {
    pub uuid: Uuid,
    pub name: String,
    pub credential_id: String,
    #[serde(serialize_with = "optional_timestamp")]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

/// `POST /api/client/account/security-keys`: a name, and whether the key is a passkey that
/// signs in without a username (a discoverable credential).
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateSecurityKeyRequest {
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 31))]
    pub name: String,
    #[serde(default)]
    pub allow_usernameless_login: bool,
}

/// `PATCH /api/client/account/security-keys/{security_key}`.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateSecurityKeyRequest {
    #[cfg_attr(feature = "server", schema(min_length = 3, max_length = 31))]
    #[serde(default)]
    pub name: Option<String>,
}

/// A key's name: 3 to 31 characters, no control characters.
pub fn key_name(value: &str) -> Result<String, CoreError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    let problem = if count < 3 {
        Some("length is lower than 3")
    } else if count > 31 {
        Some("length is greater than 31")
    } else if trimmed.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(CoreError::invalid_field("name", problem)),
        None => Ok(trimmed.to_owned()),
    }
}
