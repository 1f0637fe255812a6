//! The minimal server record: enough for "a user owns servers".

use crate::error::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::Label;
use super::serde_helpers::timestamp;
use crate::error::{CoreError, FieldErrors};

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub uuid: Uuid,
    pub name: String,
    pub owner_uuid: Uuid,
    pub owner_username: String,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateServerRequest {
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    pub owner_uuid: Uuid,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateServerRequest {
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub name: Option<String>,
    #[cfg_attr(
        feature = "server",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    #[serde(default)]
    pub owner_uuid: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct NewServer {
    pub name: Label,
    pub owner_uuid: Uuid,
}

#[derive(Clone, Debug, Default)]
pub struct ServerPatch {
    pub name: Option<Label>,
    pub owner_uuid: Option<Uuid>,
}

impl TryFrom<CreateServerRequest> for NewServer {
    type Error = CoreError;

    fn try_from(request: CreateServerRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Label::parse(request.name));
        match name {
            Some(name) if errors.is_empty() => Ok(NewServer {
                name,
                owner_uuid: request.owner_uuid,
            }),
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

impl TryFrom<UpdateServerRequest> for ServerPatch {
    type Error = CoreError;

    fn try_from(request: UpdateServerRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let name = request
            .name
            .and_then(|n| errors.check("name", Label::parse(n)));
        errors.into_result()?;
        Ok(ServerPatch {
            name,
            owner_uuid: request.owner_uuid,
        })
    }
}
