// One argument per field of the activity page's filter form, on both sides of the call.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use roster::domain::activity::Activity;
use roster::domain::page::Page;

use crate::error::AppError;

/// A page of the whole activity log; the arguments are the page's URL query, as text, one
/// argument per field of the filter form.
#[server(name = ListActivity, prefix = "/_roster", endpoint = "activity/list")]
pub async fn list_activity(
    #[server(default)] page: Option<String>,
    #[server(default)] per_page: Option<String>,
    #[server(default)] search: Option<String>,
    #[server(default)] event: Option<String>,
    #[server(default)] actor: Option<String>,
    #[server(default)] target: Option<String>,
    #[server(default)] since: Option<String>,
    #[server(default)] until: Option<String>,
) -> Result<Page<Activity>, AppError> {
    use roster::domain::activity::{ActivityParams, ActivityQuery};

    let (core, principal) = super::super::principal().await?;
    let params = ActivityParams {
        page,
        per_page,
        search,
        event,
        actor,
        target,
        since,
        until,
        ..ActivityParams::default()
    };
    Ok(core
        .list_activity(&principal, ActivityQuery::try_from(params)?)
        .await?)
}
