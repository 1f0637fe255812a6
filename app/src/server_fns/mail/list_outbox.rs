use leptos::prelude::*;
use roster::domain::mail::OutboxMail;
use roster::domain::page::Page;

use crate::error::AppError;

/// The newest mail (up to 100), waiting or sent; global admins only.
#[server(name = ListOutbox, prefix = "/_roster", endpoint = "mail/list")]
pub async fn list_outbox() -> Result<Page<OutboxMail>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    Ok(core.list_outbox(&principal, ListQuery::largest()).await?)
}
