mod create_user;
mod delete_user;
mod get_user;
mod list_users;
mod update_user;
mod user_servers;

pub use create_user::{CreateUser, create_user};
pub use delete_user::{DeleteUser, delete_user};
pub use get_user::{GetUser, get_user};
pub use list_users::{ListUsers, list_users};
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
}
