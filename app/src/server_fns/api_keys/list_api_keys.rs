use leptos::prelude::*;
use roster::domain::api_key::ApiKey;
use roster::domain::page::Page;

use crate::error::AppError;

/// The signed-in user's keys (up to 100), newest first.
#[server(name = ListApiKeys, prefix = "/_roster", endpoint = "api_keys/list")]
pub async fn list_api_keys() -> Result<Page<ApiKey>, AppError> {
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::largest();
    Ok(core.list_api_keys(&principal, query).await?)
}
