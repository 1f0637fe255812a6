use crate::error::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::Label;
use super::serde_helpers::{optional_timestamp, timestamp};
use crate::error::{CoreError, FieldErrors};
use crate::permission::Permission;

/// An API key as listed: never its secret nor its hash; `key_start` is the non-secret prefix.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub uuid: Uuid,
    pub name: String,
    pub key_start: String,
    pub admin_permissions: Vec<Permission>,
    #[serde(serialize_with = "optional_timestamp")]
    pub expires: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateApiKeyRequest {
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(feature = "server", schema(value_type = Vec<crate::permission::Permission>))]
    #[serde(default)]
    pub admin_permissions: Vec<String>,
    #[serde(default)]
    pub expires: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub name: Label,
    pub admin_permissions: Vec<Permission>,
    pub expires: Option<DateTime<Utc>>,
}

impl NewApiKey {
    /// Parses a request; `now` decides whether `expires` lies in the future.
    pub fn parse(request: CreateApiKeyRequest, now: DateTime<Utc>) -> Result<Self, CoreError> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Label::parse(request.name));
        let admin_permissions = errors.check(
            "admin_permissions",
            Permission::parse_list(&request.admin_permissions),
        );
        if request.expires.is_some_and(|expires| expires <= now) {
            errors.push("expires", "must be in the future");
        }
        match (name, admin_permissions) {
            (Some(name), Some(admin_permissions)) if errors.is_empty() => Ok(NewApiKey {
                name,
                admin_permissions,
                expires: request.expires,
            }),
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

/// A freshly created key: the only time its secret is seen.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    pub key: String,
}
