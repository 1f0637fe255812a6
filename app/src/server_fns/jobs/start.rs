use leptos::prelude::*;
use roster::domain::bulk::Job;

use crate::error::AppError;

/// Starts a dry run of `action` for the ticked `users`, or, with none, for every user the
/// filters select.
#[server(name = StartBulk, prefix = "/_roster", endpoint = "jobs/start")]
pub async fn start_bulk(
    action: String,
    #[server(default)] role: Option<String>,
    #[server(default)] users: Vec<String>,
    #[server(default)] search: Option<String>,
    #[server(default)] suspended: Option<String>,
    #[server(default)] signed_in: Option<String>,
) -> Result<Job, AppError> {
    use roster::domain::bulk::{BulkFilter, BulkRequest, NewBulk};

    let (core, principal) = super::super::principal().await?;
    let (users, filter) = if users.is_empty() {
        let filter = BulkFilter {
            search,
            suspended,
            signed_in,
        };
        (None, Some(filter))
    } else {
        (Some(users), None)
    };
    let request = BulkRequest {
        action,
        role: super::super::non_empty(role),
        users,
        filter,
        dry_run: Some(true),
    };
    let job = core
        .start_bulk(&principal, NewBulk::try_from(request)?)
        .await?;
    leptos_axum::redirect(&format!("/jobs/{}", job.uuid));
    Ok(job)
}
