//! Bulk actions and the jobs that carry them out (a Roster extension; Calagopus has none).

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use roster::domain::bulk::{BulkRequest, NewBulk, Outcome};

use super::error::ApiError;
use super::extract::{Caller, Id, Listing, Payload, ids};
use super::openapi::{Errors, JobItemParams, JobItemsReply, JobReply};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/admin/users/bulk", tag = "users", operation_id = "bulk_users",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = BulkRequest,
    responses((status = 202, description = "The job, queued (besides `users.read`, the action's own permission is needed: `users.update`, `users.email`, `users.disable-two-factor` or `users.delete`): a dry run (the default) judges each user and changes nothing; a real run changes each user as the single change would, with its activity row. Follow it at `/api/admin/jobs/{job}`", body = JobReply), (status = 400, description = "The request is not valid", body = Errors), (status = 403, description = "The caller lacks the action's permission", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn bulk(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<BulkRequest>,
) -> Result<(StatusCode, Json<JobReply>), ApiError> {
    let job = state
        .core
        .start_bulk(&caller, NewBulk::try_from(request)?)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(JobReply { job })))
}

#[utoipa::path(
    get, path = "/api/admin/jobs/{job}", tag = "users", operation_id = "get_job",
    params(("job" = uuid::Uuid, Path, description = "The job's uuid")),
    responses((status = 200, description = "The job and its progress", body = JobReply), (status = 404, description = "No such job (only whoever started it, or a global admin, sees it)", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(job, _): Id<ids::Job>,
) -> Result<Json<JobReply>, ApiError> {
    let job = state.core.get_job(&caller, job).await?;
    Ok(Json(JobReply { job }))
}

/// `outcome=` of a job's users.
pub struct OutcomeFilter(Option<Outcome>);

impl<S: Send + Sync> FromRequestParts<S> for OutcomeFilter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        #[derive(serde::Deserialize)]
        struct Params {
            outcome: Option<String>,
        }
        let Query(params) = Query::<Params>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::Payload(e.body_text()))?;
        Ok(OutcomeFilter(Outcome::parse_filter(
            params.outcome.as_deref(),
        )?))
    }
}

#[utoipa::path(
    get, path = "/api/admin/jobs/{job}/users", tag = "users", operation_id = "job_users",
    params(("job" = uuid::Uuid, Path, description = "The job's uuid"), JobItemParams),
    responses((status = 200, description = "The job's users in its order, each with its outcome (`null` until reached) and why it was skipped or refused", body = JobItemsReply), (status = 400, description = "A parameter is not valid", body = Errors), (status = 404, description = "No such job (only whoever started it, or a global admin, sees it)", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn users(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(job, _): Id<ids::Job>,
    Listing(query): Listing,
    OutcomeFilter(outcome): OutcomeFilter,
) -> Result<Json<JobItemsReply>, ApiError> {
    let items = state.core.job_items(&caller, job, query, outcome).await?;
    Ok(Json(JobItemsReply { items }))
}

#[utoipa::path(
    get, path = "/api/admin/jobs/{job}/report.csv", tag = "users", operation_id = "job_report",
    params(("job" = uuid::Uuid, Path, description = "The job's uuid")),
    responses((status = 200, description = "Every user of the job with its outcome (`pending` until reached) and reason, as CSV", content_type = "text/csv", body = String), (status = 404, description = "No such job (only whoever started it, or a global admin, sees it)", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(job, _): Id<ids::Job>,
) -> Result<Response, ApiError> {
    let chunks = state.core.job_report(&caller, job).await?;
    Ok(super::csv::reply(chunks, "job-report.csv"))
}

#[utoipa::path(
    post, path = "/api/admin/jobs/{job}/cancel", tag = "users", operation_id = "cancel_job",
    params(("job" = uuid::Uuid, Path, description = "The job's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 200, description = "The job, cancelled (unchanged if it had ended); users it had not reached keep no outcome", body = JobReply), (status = 404, description = "No such job (only whoever started it, or a global admin, sees it)", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(job, _): Id<ids::Job>,
) -> Result<Json<JobReply>, ApiError> {
    let job = state.core.cancel_job(&caller, job).await?;
    Ok(Json(JobReply { job }))
}

#[utoipa::path(
    post, path = "/api/admin/jobs/{job}/confirm", tag = "users", operation_id = "confirm_job",
    params(("job" = uuid::Uuid, Path, description = "The dry run's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    responses((status = 202, description = "A new job, queued: the dry run's action for real, on the same users in the same order, each judged again when reached", body = JobReply), (status = 400, description = "The job is not a finished dry run", body = Errors), (status = 404, description = "No such job (only whoever started it, or a global admin, sees it)", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.read")))
)]
pub async fn confirm(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(job, _): Id<ids::Job>,
) -> Result<(StatusCode, Json<JobReply>), ApiError> {
    let job = state.core.confirm_job(&caller, job).await?;
    Ok((StatusCode::ACCEPTED, Json(JobReply { job })))
}
