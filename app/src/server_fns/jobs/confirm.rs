use leptos::prelude::*;
use roster::domain::bulk::Job;

use crate::error::AppError;

/// Runs a finished dry run for real: the new job.
#[server(name = ConfirmJob, prefix = "/_roster", endpoint = "jobs/confirm")]
pub async fn confirm_job(uuid: uuid::Uuid) -> Result<Job, AppError> {
    let (core, principal) = super::super::principal().await?;
    let job = core.confirm_job(&principal, uuid).await?;
    leptos_axum::redirect(&format!("/jobs/{}", job.uuid));
    Ok(job)
}
