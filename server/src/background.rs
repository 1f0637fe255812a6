//! The work Roster does on its own: named jobs, started and stopped by one supervisor. Each job
//! runs on its own task, so a job that panics is logged and started again at its next turn
//! instead of being gone for good; stopping cancels every job and waits for them, before the
//! database pool closes. Each run of a job is short statements on its own, so stopping between
//! or during runs loses nothing.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use roster::Core;
use roster::services::mail::Mailer;
use roster::services::webhooks::WebhookSender;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How often the webhook outbox is looked at for messages that are due, when the last look
/// delivered nothing; while messages go out, the worker goes on at once.
const WEBHOOKS_EVERY: Duration = Duration::from_secs(1);

/// How often the outbox is looked at for mail that is due.
const MAIL_EVERY: Duration = Duration::from_secs(2);

/// How often expired sessions, sign-in counters and activity past its retention are deleted.
/// Sessions and counters stop counting the moment they expire; the purge only keeps the tables
/// small.
const PURGE_EVERY: Duration = Duration::from_secs(15 * 60);

/// How often the listing's blocks are balanced; between runs a block only grows by the users
/// created meanwhile, which a deep page then skips one by one.
const BALANCE_EVERY: Duration = Duration::from_secs(10);

/// How often the jobs (bulk actions) are looked at for one nobody holds; a runner works through
/// its job at once, batch after batch.
const JOBS_EVERY: Duration = Duration::from_secs(1);

/// How soon the key watcher is started again when it stops.
const WATCH_AGAIN: Duration = Duration::from_secs(1);

type Run = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A job: its name (for the log), how long to wait between runs, and one run.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub run: Box<dyn Fn(Core) -> Run + Send + Sync>,
}

impl Job {
    fn new<F, Fut>(name: &'static str, every: Duration, run: F) -> Self
    where
        F: Fn(Core) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            name,
            every,
            run: Box::new(move |core| Box::pin(run(core))),
        }
    }
}

/// The running jobs; [`Jobs::stop`] ends them.
pub struct Jobs {
    cancel: CancellationToken,
    tasks: JoinSet<()>,
}

/// Roster's jobs: the watcher that keeps remembered API keys true, the listing's balancer, the
/// bulk-action runner, the mail worker (with an SMTP server), the webhook worker and the purge.
pub fn jobs(
    mailer: Option<Mailer>,
    webhooks: Option<WebhookSender>,
    activity_retention: chrono::Duration,
) -> Vec<Job> {
    let mut jobs = vec![
        Job::new("credential watcher", WATCH_AGAIN, |core| async move {
            core.watch_credentials().await
        }),
        Job::new("listing balancer", BALANCE_EVERY, |core| async move {
            match core.balance_user_blocks().await {
                Ok(done) if done == roster::services::Balance::default() => {}
                Ok(done) => tracing::debug!(?done, "listing blocks balanced"),
                Err(error) => tracing::warn!(%error, "balancing the listing's blocks failed"),
            }
        }),
        Job::new("job runner", JOBS_EVERY, |core| async move {
            match core.run_due_jobs().await {
                Ok(0) => {}
                Ok(users) => tracing::debug!(users, "job worked"),
                Err(error) => tracing::warn!(%error, "running a job failed"),
            }
        }),
        Job::new("purge", PURGE_EVERY, move |core| async move {
            purge(&core, activity_retention).await
        }),
    ];
    if let Some(sender) = webhooks {
        jobs.push(Job::new("webhook worker", WEBHOOKS_EVERY, move |core| {
            let sender = sender.clone();
            async move {
                // Each round sends an endpoint's next message: a queue drains round after round.
                loop {
                    match core.deliver_due_webhooks(&sender).await {
                        Ok(0) => break,
                        Ok(delivered) => tracing::debug!(delivered, "webhooks delivered"),
                        Err(error) => {
                            tracing::warn!(%error, "delivering webhooks failed");
                            break;
                        }
                    }
                }
            }
        }));
    }
    if let Some(mailer) = mailer {
        jobs.push(Job::new("mail worker", MAIL_EVERY, move |core| {
            let mailer = mailer.clone();
            async move {
                match core.deliver_due_mail(&mailer).await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "mail delivered"),
                    Err(error) => tracing::warn!(%error, "delivering mail failed"),
                }
            }
        }));
    }
    jobs
}

/// Starts every job under one supervisor.
pub fn start(core: Core, jobs: Vec<Job>) -> Jobs {
    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    for job in jobs {
        tasks.spawn(supervise(core.clone(), job, cancel.clone()));
    }
    Jobs { cancel, tasks }
}

impl Jobs {
    /// Cancels every job, a run in progress included, and waits until all have stopped.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Runs `job` now and then every `job.every`, each run on a task of its own: a run that panics
/// is logged and the job goes on at its next turn.
async fn supervise(core: Core, job: Job, cancel: CancellationToken) {
    loop {
        let mut run = tokio::spawn((job.run)(core.clone()));
        tokio::select! {
            _ = cancel.cancelled() => {
                run.abort();
                let _ = run.await;
                return;
            }
            outcome = &mut run => {
                if let Err(error) = outcome
                    && error.is_panic()
                {
                    tracing::error!(job = job.name, "a background job panicked; it runs again at its next turn");
                }
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(job.every) => {}
        }
    }
}

async fn purge(core: &Core, activity_retention: chrono::Duration) {
    match core.purge_expired_sessions().await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "expired sessions deleted"),
        Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
    }
    if let Err(error) = core.purge_expired_challenges().await {
        tracing::warn!(%error, "purging expired sign-in challenges failed");
    }
    if let Err(error) = core.purge_key_ceremonies().await {
        tracing::warn!(%error, "purging security key ceremonies failed");
    }
    if let Err(error) = core.purge_expired_tokens().await {
        tracing::warn!(%error, "purging expired password tokens failed");
    }
    match core
        .purge_activity(chrono::Utc::now() - activity_retention)
        .await
    {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "activity older than its retention deleted"),
        Err(error) => tracing::warn!(%error, "purging old activity failed"),
    }
    match core
        .purge_webhook_deliveries(chrono::Utc::now() - activity_retention)
        .await
    {
        Ok(0) => {}
        Ok(purged) => tracing::debug!(purged, "webhook messages older than the retention deleted"),
        Err(error) => tracing::warn!(%error, "purging old webhook messages failed"),
    }
    match core.purge_idempotency_keys().await {
        Ok(0) => {}
        Ok(purged) => tracing::debug!(purged, "idempotency keys past their 24 hours deleted"),
        Err(error) => tracing::warn!(%error, "purging idempotency keys failed"),
    }
    match core.purge_mail().await {
        Ok(0) => {}
        Ok(purged) => tracing::debug!(purged, "old and undeliverable mail deleted"),
        Err(error) => tracing::warn!(%error, "purging the mail outbox failed"),
    }
    if let Err(error) = core.purge_credential_changes().await {
        tracing::warn!(%error, "purging the credential change log failed");
    }
    match core.purge_sign_in_throttle().await {
        Ok(0) => {}
        Ok(purged) => tracing::debug!(purged, "expired sign-in counters deleted"),
        Err(error) => tracing::warn!(%error, "purging sign-in counters failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn core() -> Core {
        let db = roster::store::Database::connect("sqlite::memory:")
            .await
            .expect("an in-memory database");
        Core::new(db)
    }

    #[tokio::test]
    async fn a_job_that_panics_runs_again_and_stop_ends_every_job() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let flaky = Job::new("flaky", Duration::from_millis(10), move |_core| {
            let runs = counted.clone();
            async move {
                if runs.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
                    panic!("a run that fails");
                }
            }
        });
        let forever = Job::new("forever", Duration::from_secs(60), |_core| {
            std::future::pending::<()>()
        });
        let jobs = start(core().await, vec![flaky, forever]);
        tokio::time::timeout(Duration::from_secs(5), async {
            while runs.load(Ordering::SeqCst) < 4 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the job kept running after its panics");
        tokio::time::timeout(Duration::from_secs(5), jobs.stop())
            .await
            .expect("stop ends a run in progress too");
        let after = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            after,
            "nothing runs after stop"
        );
    }
}
