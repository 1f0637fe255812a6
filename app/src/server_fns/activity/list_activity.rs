use leptos::prelude::*;
use roster::domain::activity::{Activity, ActivityParams};
use roster::domain::page::Page;

use crate::error::AppError;

/// A page of the whole activity log; the filters are the page's URL query, as text.
#[server(name = ListActivity, prefix = "/_roster", endpoint = "activity/list")]
pub async fn list_activity(params: ActivityParams) -> Result<Page<Activity>, AppError> {
    use roster::domain::activity::ActivityQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ActivityQuery::try_from(params)?;
    Ok(core.list_activity(&principal, query).await?)
}
