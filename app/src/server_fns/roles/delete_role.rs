use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = DeleteRole, prefix = "/_roster", endpoint = "roles/delete")]
pub async fn delete_role(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core
        .delete_role(&principal, uuid, &roster::Precondition::None)
        .await?)
}
