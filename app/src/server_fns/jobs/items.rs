use leptos::prelude::*;
use roster::domain::bulk::JobItem;
use roster::domain::page::Page;

use crate::error::AppError;

/// A page of a job's users, only those with `outcome` when given.
#[server(name = JobUsers, prefix = "/_roster", endpoint = "jobs/users")]
pub async fn job_users(
    uuid: uuid::Uuid,
    #[server(default)] page: Option<String>,
    #[server(default)] outcome: Option<String>,
) -> Result<Page<JobItem>, AppError> {
    use roster::domain::page::{ListParams, ListQuery};

    let (core, principal) = super::super::principal().await?;
    let query = ListQuery::try_from(ListParams {
        page,
        per_page: Some("50".to_owned()),
        ..ListParams::default()
    })?;
    let outcome = roster::domain::bulk::Outcome::parse_filter(outcome.as_deref())?;
    Ok(core.job_items(&principal, uuid, query, outcome).await?)
}
