use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use roster::domain::bulk::{Job, JobItem, Outcome};

use crate::components::feedback::{ErrorNote, describe, load_error};
use crate::server_fns::jobs::{CancelJob, ConfirmJob, get_job, job_users};

fn no_job() -> crate::error::AppError {
    crate::error::AppError::Refused(roster::Refusal::NotFound(roster::Entity::Job))
}

/// How often the page asks how far a running job has come.
const POLL_MS: u64 = 1000;

fn outcome_label(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "pending",
        Some(Outcome::Done) => "done",
        Some(Outcome::Would) => "will be done",
        Some(Outcome::Skipped) => "skipped",
        Some(Outcome::Refused) => "refused",
    }
}

fn item_row(item: JobItem) -> impl IntoView {
    view! {
        <tr>
            <td><a href=format!("/users/{}", item.user_uuid)>{item.username.clone()}</a></td>
            <td data-outcome=outcome_label(item.outcome)>{outcome_label(item.outcome)}</td>
            <td>{item.reason.clone().unwrap_or_default()}</td>
        </tr>
    }
}

fn summary(job: &Job) -> impl IntoView + use<> {
    let title = format!(
        "{}{}",
        if job.dry_run { "Dry run: " } else { "" },
        job.action.label()
    );
    let counts = if job.dry_run {
        format!(
            "{} will be done, {} skipped, {} refused",
            job.would, job.skipped, job.refused
        )
    } else {
        format!(
            "{} done, {} skipped, {} refused",
            job.done, job.skipped, job.refused
        )
    };
    view! {
        <h1>{title}</h1>
        <p data-testid="job-state">{job.state.as_str()}</p>
        <progress max=job.total.max(1) value=job.processed aria-label="Progress"></progress>
        <p data-testid="job-progress">{job.processed} " of " {job.total} " users"</p>
        <p data-testid="job-counts">{counts}</p>
        {job.error.clone().map(|error| view! { <p class="field-error" role="alert">{error}</p> })}
    }
}

/// A job: its progress while it runs (kept across reloads: the URL names it), its users with
/// what happened to each, and what to do next (cancel; confirm a dry run; the report).
#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let uuid = move || params.with(|p| p.get("id").and_then(|id| id.parse::<uuid::Uuid>().ok()));
    let outcome = move || query.with(|q| q.get("outcome").unwrap_or_default());
    let cancel = ServerAction::<CancelJob>::new();
    let confirm = ServerAction::<ConfirmJob>::new();
    let (tick, set_tick) = signal(0u64);
    let job = Resource::new(
        move || (uuid(), tick.get(), cancel.version().get()),
        |(uuid, _, _)| async move {
            match uuid {
                Some(uuid) => get_job(uuid).await,
                None => Err(no_job()),
            }
        },
    );
    let items = Resource::new(
        move || (uuid(), outcome(), tick.get(), cancel.version().get()),
        |(uuid, outcome, _, _)| async move {
            match uuid {
                Some(uuid) => job_users(uuid, None, Some(outcome)).await,
                None => Err(no_job()),
            }
        },
    );
    // While the job runs, ask again every second.
    Effect::new(move |_| {
        let running = job
            .get()
            .and_then(Result::ok)
            .is_some_and(|job| !job.state.is_over());
        if running {
            set_timeout(
                move || set_tick.update(|t| *t += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    let errors = move || {
        [
            cancel.value().get().and_then(Result::err),
            confirm.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| describe(&e))
    };
    view! {
        <Title text="Job · Roster" />
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading the job…"</p> }>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    job.await.map(|job| {
                        let id = job.uuid.to_string();
                        let (cancel_id, confirm_id) = (id.clone(), id.clone());
                        let over = job.state.is_over();
                        let confirmable = job.dry_run && job.state == roster::domain::bulk::JobState::Finished;
                        let changed = if job.dry_run { ("would", "Will be done") } else { ("done", "Done") };
                        let filters = [("", "All"), changed, ("skipped", "Skipped"), ("refused", "Refused")];
                        view! {
                            {summary(&job)}
                            <div class="actions">
                                {(!over).then(|| view! {
                                    <ActionForm action=cancel attr:class="inline">
                                        <input type="hidden" name="uuid" value=cancel_id />
                                        <button class="button button-quiet" type="submit">"Cancel"</button>
                                    </ActionForm>
                                })}
                                {confirmable.then(|| view! {
                                    <ActionForm action=confirm attr:class="inline">
                                        <input type="hidden" name="uuid" value=confirm_id />
                                        <button class="button" type="submit" disabled=move || confirm.pending().get()>
                                            {format!("Confirm: {} for real", job.action.label().to_lowercase())}
                                        </button>
                                    </ActionForm>
                                })}
                                <a href=format!("/api/admin/jobs/{id}/report.csv") download="job-report.csv">"Download report (CSV)"</a>
                            </div>
                            <nav class="toolbar" aria-label="Outcomes">
                                {filters.into_iter().map(|(value, label)| {
                                    let href = if value.is_empty() { format!("/jobs/{id}") } else { format!("/jobs/{id}?outcome={value}") };
                                    view! { <a href=href aria-current=move || (outcome() == value).then_some("page")>{label}</a> }
                                }).collect_view()}
                            </nav>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <ErrorNote message=Signal::derive(errors) />
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=load_error>
                {move || Suspend::new(async move {
                    items.await.map(|page| {
                        view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="job-users">
                                    <thead><tr><th scope="col">"User"</th><th scope="col">"Outcome"</th><th scope="col">"Why"</th></tr></thead>
                                    <tbody>{page.data.into_iter().map(item_row).collect_view()}</tbody>
                                </table>
                            </div>
                            {(page.total > i64::from(page.per_page)).then(|| view! {
                                <p class="muted">{format!("The first {} of {}; the report has them all.", page.per_page, page.total)}</p>
                            })}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
