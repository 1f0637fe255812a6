use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::session::SessionInfo;

use crate::error::AppError;

/// The signed-in user's open sessions (up to 100), newest first.
#[server(name = ListSessions, prefix = "/_roster", endpoint = "sessions/list")]
pub async fn list_sessions() -> Result<Page<SessionInfo>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    Ok(core.list_sessions(&principal, ListQuery::largest()).await?)
}
