use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Deletes a user and returns to the list.
#[server(name = DeleteUser, prefix = "/_roster", endpoint = "users/delete")]
pub async fn delete_user(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.delete_user(&principal, uuid, &roster::Precondition::None)
        .await?;
    leptos_axum::redirect("/users");
    Ok(())
}
