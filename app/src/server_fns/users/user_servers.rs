use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::server::Server;
use uuid::Uuid;

use crate::error::AppError;

/// The servers a user owns (up to 100): what must move before the user can go.
#[server(name = UserServers, prefix = "/_roster", endpoint = "users/servers")]
pub async fn user_servers(uuid: Uuid) -> Result<Page<Server>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::largest();
    Ok(core.list_user_servers(&principal, uuid, query).await?)
}
