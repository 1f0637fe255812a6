//! The work Roster does on its own, started once by `serve` and stopped with it.

use std::time::Duration;

use roster::Core;
use roster::services::mail::Mailer;

/// How often the outbox is looked at for mail that is due.
const MAIL_EVERY: Duration = Duration::from_secs(2);
use tokio::task::JoinHandle;

/// How often expired sessions, sign-in counters and activity past its retention are deleted.
/// Sessions and counters stop counting the moment they expire; the purge only keeps the tables
/// small.
const PURGE_EVERY: Duration = Duration::from_secs(15 * 60);

/// How often the listing's blocks are balanced; between runs a block only grows by the users
/// created meanwhile, which a deep page then skips one by one.
const BALANCE_EVERY: Duration = Duration::from_secs(10);

/// Starts the periodic jobs and the watcher that keeps remembered API keys true; abort the
/// handle to stop the purge. Each job is one short statement, so
/// stopping between or during runs loses nothing.
pub fn start(
    core: Core,
    mailer: Option<Mailer>,
    activity_retention: chrono::Duration,
) -> JoinHandle<()> {
    {
        let core = core.clone();
        tokio::spawn(async move { core.watch_credentials().await });
    }
    {
        let core = core.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(BALANCE_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match core.balance_user_blocks().await {
                    Ok(done) if done == roster::services::Balance::default() => {}
                    Ok(done) => tracing::debug!(?done, "listing blocks balanced"),
                    Err(error) => tracing::warn!(%error, "balancing the listing's blocks failed"),
                }
            }
        });
    }
    if let Some(mailer) = mailer {
        let core = core.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(MAIL_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match core.deliver_due_mail(&mailer).await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "mail delivered"),
                    Err(error) => tracing::warn!(%error, "delivering mail failed"),
                }
            }
        });
    }
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PURGE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match core.purge_expired_sessions().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired sessions deleted"),
                Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
            }
            if let Err(error) = core.purge_expired_challenges().await {
                tracing::warn!(%error, "purging expired sign-in challenges failed");
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
            match core.purge_idempotency_keys().await {
                Ok(0) => {}
                Ok(purged) => {
                    tracing::debug!(purged, "idempotency keys past their 24 hours deleted")
                }
                Err(error) => tracing::warn!(%error, "purging idempotency keys failed"),
            }
            match core.purge_mail().await {
                Ok(0) => {}
                Ok(purged) => tracing::debug!(purged, "old and undeliverable mail deleted"),
                Err(error) => tracing::warn!(%error, "purging the mail outbox failed"),
            }
            match core.purge_sign_in_throttle().await {
                Ok(0) => {}
                Ok(purged) => tracing::debug!(purged, "expired sign-in counters deleted"),
                Err(error) => tracing::warn!(%error, "purging sign-in counters failed"),
            }
        }
    })
}
