use leptos::prelude::*;
use roster::domain::page::{ListParams, Page};
use roster::domain::user::User;

use crate::error::AppError;

#[server(name = ListUsers, prefix = "/_roster", endpoint = "users/list")]
pub async fn list_users(params: ListParams) -> Result<Page<User>, AppError> {
    let (core, principal) = super::super::principal().await?;
    let query = roster::domain::page::ListQuery::try_from(params)?;
    Ok(core.list_users(&principal, query).await?)
}
