use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[server(name = DeleteServer, prefix = "/_roster", endpoint = "servers/delete")]
pub async fn delete_server(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core
        .delete_server(&principal, uuid, &roster::Precondition::None)
        .await?)
}
