//! The sign-in throttle. Attempts are counted in the database per client address and per
//! (account, client address), so every instance sees the same counts and memory stays flat. An
//! attempt is counted before the password is checked, in one atomic statement, so parallel
//! guesses cannot all slip past a check made before any of them failed; a success gives its
//! attempt back. An account is never locked against a client that has not failed on it.

use chrono::{DateTime, Duration, Utc};

use super::{Core, now};
use crate::error::CoreError;
use crate::secret::sha256_hex;
use crate::store::with_db;

/// How long attempts are remembered.
pub const WINDOW_SECS: i64 = 300;
/// Failed sign-ins one client may make on one account per window.
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failed sign-ins one client may make over all accounts per window.
pub const CLIENT_LIMIT: i64 = 50;

/// Counts one attempt, starting a new window when the last one is over, and answers the count
/// and the window it fell in.
const COUNT_ATTEMPT: &str = "INSERT INTO sign_in_throttle (key, window_start, attempts) \
    VALUES ($1, $2, 1) \
    ON CONFLICT (key) DO UPDATE SET \
    attempts = CASE WHEN sign_in_throttle.window_start <= $3 THEN 1 \
        ELSE sign_in_throttle.attempts + 1 END, \
    window_start = CASE WHEN sign_in_throttle.window_start <= $3 THEN $2 \
        ELSE sign_in_throttle.window_start END \
    RETURNING attempts, window_start";

/// The counters one sign-in attempt has used.
pub(crate) struct Attempt {
    client: String,
    account: String,
}

impl Core {
    /// Counts the attempt of `client` (an address) on `account` (a user uuid, or the name tried
    /// when there is no such user); `RateLimited` when either counter is over its limit.
    pub(crate) async fn count_sign_in(
        &self,
        account: &str,
        client: &str,
    ) -> Result<Attempt, CoreError> {
        let attempt = Attempt {
            client: sha256_hex(&format!("client\n{client}")),
            account: sha256_hex(&format!("account\n{account}\n{client}")),
        };
        self.count(&attempt.client, CLIENT_LIMIT).await?;
        self.count(&attempt.account, ACCOUNT_LIMIT).await?;
        Ok(attempt)
    }

    /// Counts one request of a kind limited per window (a reset request per client or per
    /// address); `RateLimited` over `limit`.
    pub(crate) async fn count_request(&self, what: &str, limit: i64) -> Result<(), CoreError> {
        self.count(&sha256_hex(what), limit).await
    }

    async fn count(&self, key: &str, limit: i64) -> Result<(), CoreError> {
        let at = now();
        let window = Duration::seconds(WINDOW_SECS);
        let (attempts, window_start) = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (i64, DateTime<Utc>)>(COUNT_ATTEMPT)
                .bind(key)
                .bind(at)
                .bind(at - window)
                .fetch_one(pool)
                .await
        })?;
        if attempts > limit {
            let wait = (window_start + window - at).num_seconds().max(1);
            return Err(CoreError::RateLimited(wait.unsigned_abs()));
        }
        Ok(())
    }

    /// A successful sign-in: that client's failures on that account are forgotten, and its
    /// attempt is given back to the client's counter.
    pub(crate) async fn sign_in_succeeded(&self, attempt: Attempt) -> Result<(), CoreError> {
        with_db!(&self.db, pool => {
            sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
                .bind(&attempt.account)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        self.give_back(&attempt.client).await
    }

    /// An attempt that was never judged (the server was too busy to check the password).
    pub(crate) async fn sign_in_not_judged(&self, attempt: Attempt) -> Result<(), CoreError> {
        self.give_back(&attempt.account).await?;
        self.give_back(&attempt.client).await
    }

    async fn give_back(&self, key: &str) -> Result<(), CoreError> {
        with_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            )
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Deletes counters whose window is over; the server runs it periodically.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn purge_sign_in_throttle(&self) -> Result<u64, CoreError> {
        self.delete_up_to(
            "sign_in_throttle",
            "window_start",
            now() - Duration::seconds(WINDOW_SECS),
        )
        .await
    }
}
