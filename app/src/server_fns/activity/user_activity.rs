use leptos::prelude::*;
use roster::domain::activity::Activity;
use roster::domain::page::Page;
use uuid::Uuid;

use crate::error::AppError;

/// A page of what one user did and what was done to them.
#[server(name = UserActivity, prefix = "/_roster", endpoint = "activity/user")]
pub async fn user_activity(
    uuid: Uuid,
    #[server(default)] page: Option<String>,
    #[server(default)] per_page: Option<String>,
    #[server(default)] search: Option<String>,
    #[server(default)] event: Option<String>,
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
        since,
        until,
        ..ActivityParams::default()
    };
    Ok(core
        .list_user_activity(&principal, uuid, ActivityQuery::try_from(params)?)
        .await?)
}
