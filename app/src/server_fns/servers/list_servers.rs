use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::server::Server;

use crate::error::AppError;

/// The first hundred servers, oldest first.
#[server(name = ListServers, prefix = "/_roster", endpoint = "servers/list")]
pub async fn list_servers() -> Result<Page<Server>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::largest();
    Ok(core.list_servers(&principal, query).await?)
}
