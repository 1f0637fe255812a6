use leptos::prelude::*;
use roster::domain::bulk::Job;

use crate::error::AppError;

/// A job and its progress.
#[server(name = GetJob, prefix = "/_roster", endpoint = "jobs/get")]
pub async fn get_job(uuid: uuid::Uuid) -> Result<Job, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.get_job(&principal, uuid).await?)
}
