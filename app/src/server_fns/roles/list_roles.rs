use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::role::Role;

use crate::error::AppError;

/// Every role (up to 100), for the roles page and the user form's role choice.
#[server(name = ListRoles, prefix = "/_roster", endpoint = "roles/list")]
pub async fn list_roles() -> Result<Page<Role>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::largest();
    Ok(core.list_roles(&principal, query).await?)
}
