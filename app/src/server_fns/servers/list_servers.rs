use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::server::Server;

use crate::error::AppError;

/// The first hundred servers, oldest first.
#[server(name = ListServers, prefix = "/_roster", endpoint = "servers/list")]
pub async fn list_servers() -> Result<Page<Server>, AppError> {
    use roster::domain::page::{ListQuery, MAX_PER_PAGE};

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery {
        per_page: MAX_PER_PAGE,
        ..ListQuery::default()
    };
    Ok(core.list_servers(&principal, query).await?)
}
