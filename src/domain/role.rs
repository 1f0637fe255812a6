use crate::error::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{Description, RoleName};
use super::serde_helpers::{double_option, timestamp};
use crate::error::{CoreError, FieldErrors};
use crate::permission::Permission;

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub uuid: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub admin_permissions: Vec<Permission>,
    /// Members must sign in with a second factor before they use the admin area.
    #[serde(default)]
    pub require_two_factor: bool,
    #[serde(serialize_with = "timestamp")]
    pub created: DateTime<Utc>,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateRoleRequest {
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 64,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(feature = "server", schema(max_length = 1024))]
    #[serde(default)]
    pub description: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = Vec<crate::permission::Permission>))]
    #[serde(default)]
    pub admin_permissions: Vec<String>,
    #[serde(default)]
    pub require_two_factor: Option<bool>,
}

#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateRoleRequest {
    #[cfg_attr(
        feature = "server",
        schema(
            min_length = 1,
            max_length = 64,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    #[serde(default)]
    pub name: Option<String>,
    #[cfg_attr(feature = "server", schema(max_length = 1024))]
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    #[cfg_attr(feature = "server", schema(value_type = Option<Vec<crate::permission::Permission>>))]
    #[serde(default)]
    pub admin_permissions: Option<Vec<String>>,
    #[serde(default)]
    pub require_two_factor: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct NewRole {
    pub name: RoleName,
    pub description: Option<Description>,
    pub admin_permissions: Vec<Permission>,
    pub require_two_factor: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RolePatch {
    pub name: Option<RoleName>,
    pub description: Option<Option<Description>>,
    pub admin_permissions: Option<Vec<Permission>>,
    pub require_two_factor: Option<bool>,
}

impl TryFrom<CreateRoleRequest> for NewRole {
    type Error = CoreError;

    fn try_from(request: CreateRoleRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", RoleName::parse(request.name));
        let description = request
            .description
            .and_then(|d| errors.check("description", Description::parse(d)));
        let admin_permissions = errors.check(
            "admin_permissions",
            Permission::parse_list(&request.admin_permissions),
        );
        match (name, admin_permissions) {
            (Some(name), Some(admin_permissions)) if errors.is_empty() => Ok(NewRole {
                name,
                description,
                admin_permissions,
                require_two_factor: request.require_two_factor.unwrap_or(false),
            }),
            _ => Err(CoreError::Refused(Refusal::Invalid(errors))),
        }
    }
}

impl TryFrom<UpdateRoleRequest> for RolePatch {
    type Error = CoreError;

    fn try_from(request: UpdateRoleRequest) -> Result<Self, Self::Error> {
        let mut errors = FieldErrors::new();
        let patch = RolePatch {
            name: request
                .name
                .and_then(|n| errors.check("name", RoleName::parse(n))),
            description: match request.description {
                None => None,
                Some(None) => Some(None),
                Some(Some(d)) => errors.check("description", Description::parse(d)).map(Some),
            },
            admin_permissions: request
                .admin_permissions
                .and_then(|p| errors.check("admin_permissions", Permission::parse_list(&p))),
            require_two_factor: request.require_two_factor,
        };
        errors.into_result()?;
        Ok(patch)
    }
}
