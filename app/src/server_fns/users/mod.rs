mod create_user;
mod delete_user;
mod get_user;
mod list_users;
mod send_password_reset;
mod sign_in_as;
mod update_user;
mod user_servers;

pub use create_user::{CreateUser, create_user};
pub use delete_user::{DeleteUser, delete_user};
pub use get_user::{EditableUser, GetUser, get_user};
pub use list_users::{ListUsers, list_users};
pub use send_password_reset::{SendPasswordReset, send_password_reset};
pub use sign_in_as::{SignInAs, sign_in_as};
pub use update_user::{UpdateUser, update_user};
pub use user_servers::{UserServers, user_servers};

use serde::{Deserialize, Serialize};

/// The user form as a browser posts it: every field is text, a checkbox is present or not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserForm {
    pub username: String,
    pub email: String,
    pub name_first: String,
    pub name_last: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub admin: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub role_uuid: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub suspended: Option<String>,
    #[serde(default)]
    pub frozen: Option<String>,
    #[serde(default)]
    pub send_email: Option<String>,
    /// The version of the user the edit form was loaded at.
    #[serde(default)]
    pub version: Option<String>,
}

#[cfg(feature = "ssr")]
impl UserForm {
    fn role_uuid(&self) -> Result<Option<uuid::Uuid>, roster::CoreError> {
        super::non_empty(self.role_uuid.clone())
            .map(|raw| {
                raw.parse()
                    .map_err(|_| roster::CoreError::invalid_field("role_uuid", "unknown role"))
            })
            .transpose()
    }

    /// The form as the wire request of a create: empty optional fields are absent.
    pub(crate) fn into_create_request(
        self,
    ) -> Result<roster::domain::user::CreateUserRequest, roster::CoreError> {
        use super::non_empty;
        Ok(roster::domain::user::CreateUserRequest {
            role_uuid: self.role_uuid()?,
            username: self.username,
            email: self.email,
            name_first: self.name_first,
            name_last: self.name_last,
            password: non_empty(self.password),
            admin: Some(self.admin.is_some()),
            language: non_empty(self.language),
            external_id: non_empty(self.external_id),
            suspended: Some(self.suspended.is_some()),
            frozen: Some(self.frozen.is_some()),
            send_email: Some(self.send_email.is_some()),
            ..Default::default()
        })
    }

    /// The form as the wire request of an update carrying every field; an empty role or
    /// external id clears it, an empty password keeps the current one.
    pub(crate) fn into_update_request(
        self,
    ) -> Result<roster::domain::user::UpdateUserRequest, roster::CoreError> {
        use super::non_empty;
        Ok(roster::domain::user::UpdateUserRequest {
            role_uuid: Some(self.role_uuid()?),
            username: Some(self.username),
            email: Some(self.email),
            name_first: Some(self.name_first),
            name_last: Some(self.name_last),
            password: non_empty(self.password),
            admin: Some(self.admin.is_some()),
            language: non_empty(self.language),
            external_id: Some(non_empty(self.external_id)),
            suspended: Some(self.suspended.is_some()),
            frozen: Some(self.frozen.is_some()),
            ..Default::default()
        })
    }
}
