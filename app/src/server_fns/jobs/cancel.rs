use leptos::prelude::*;
use roster::domain::bulk::Job;

use crate::error::AppError;

/// Stops a job.
#[server(name = CancelJob, prefix = "/_roster", endpoint = "jobs/cancel")]
pub async fn cancel_job(uuid: uuid::Uuid) -> Result<Job, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.cancel_job(&principal, uuid).await?)
}
