use leptos::prelude::*;
use roster::domain::activity::{Activity, ActivityParams};
use roster::domain::page::Page;
use uuid::Uuid;

use crate::error::AppError;

/// A page of what one user did and what was done to them.
#[server(name = UserActivity, prefix = "/_roster", endpoint = "activity/user")]
pub async fn user_activity(uuid: Uuid, params: ActivityParams) -> Result<Page<Activity>, AppError> {
    use roster::domain::activity::ActivityQuery;

    let (core, principal) = super::super::principal().await?;
    let query = ActivityQuery::try_from(params)?;
    Ok(core.list_user_activity(&principal, uuid, query).await?)
}
