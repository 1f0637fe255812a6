use leptos::prelude::*;
use roster::domain::page::Page;
use roster::domain::user::User;

use crate::error::AppError;

/// A page of users; the arguments are the list's URL query, as text.
#[server(name = ListUsers, prefix = "/_roster", endpoint = "users/list")]
pub async fn list_users(
    #[server(default)] page: Option<String>,
    #[server(default)] per_page: Option<String>,
    #[server(default)] search: Option<String>,
    #[server(default)] suspended: Option<String>,
    #[server(default)] signed_in: Option<String>,
    #[server(default)] sort: Option<String>,
) -> Result<Page<User>, AppError> {
    use roster::domain::page::{ListParams, ListQuery};

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::try_from(ListParams {
        page,
        per_page,
        search,
        suspended,
        signed_in,
        sort,
    })?;
    Ok(core.list_users(&principal, query).await?)
}
