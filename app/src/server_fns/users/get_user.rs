use leptos::prelude::*;
use roster::domain::user::User;
use uuid::Uuid;

use crate::error::AppError;

/// A user as the edit form shows them, with the version the form saves against.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EditableUser {
    pub user: User,
    /// The user's entity tag: a save is refused if the user changed since.
    pub version: String,
}

#[server(name = GetUser, prefix = "/_roster", endpoint = "users/get")]
pub async fn get_user(uuid: Uuid) -> Result<EditableUser, AppError> {
    let (core, principal) = super::super::principal().await?;
    let user = core.get_user(&principal, uuid).await?;
    let version = roster::services::conditional::entity_tag(&user);
    Ok(EditableUser { user, version })
}
