use leptos::prelude::*;
use roster::domain::page::{ListParams, Page};
use roster::domain::server::Server;

use crate::error::AppError;

#[server(name = ListServers, prefix = "/_roster", endpoint = "servers/list")]
pub async fn list_servers(params: ListParams) -> Result<Page<Server>, AppError> {
    let (core, principal) = super::super::principal().await?;
    let query = roster::domain::page::ListQuery::try_from(params)?;
    Ok(core.list_servers(&principal, query).await?)
}
