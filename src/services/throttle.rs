//! The guess throttle. Every check of a secret (a sign-in's password, its code, the password that
//! confirms a change to one's own account) is counted before it is judged, in the database, so
//! every instance sees the same counts, memory stays flat, and parallel guesses cannot all slip
//! past a check made before any of them failed. Each [`Step`] counts on its own: a success of one
//! step clears nothing of another.
//!
//! A guess is counted three times:
//! - per client network (an IPv4 address, an IPv6 /64, which one subscriber holds whole), over
//!   every account: [`NETWORK_LIMIT`] per window;
//! - per account and network: [`ACCOUNT_LIMIT`] per window, so that an account is never locked
//!   against a network that has not failed on it;
//! - per account over every network, with backoff: after [`ACCOUNT_FREE`] guesses each further
//!   one waits twice as long as the last, up to [`BACKOFF_MAX_SECS`], until the account has been
//!   quiet for a window. Guesses spread over many networks are slowed to one a minute, while the
//!   owner is at most delayed, never locked out.
//!
//! A success forgets its network's failures on that account for that step (in the account's
//! count too), and gives its attempt back; a guess the server was too busy to judge is given back
//! whole.

use crate::error::Refusal;
use std::net::IpAddr;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};

use super::auth::ClientInfo;
use super::{Core, now};
use crate::error::CoreError;
use crate::secret::sha256_hex;
use crate::store::with_db;

/// How long attempts are remembered.
pub const WINDOW_SECS: i64 = 300;
/// Failed guesses one network may make on one account per window, per step.
pub const ACCOUNT_LIMIT: i64 = 10;
/// Failed guesses one network may make over all accounts per window, per step.
pub const NETWORK_LIMIT: i64 = 50;
/// Guesses an account takes from all networks together before each further one backs off.
pub const ACCOUNT_FREE: i64 = 20;
/// The longest an account's guesses are spaced apart.
pub const BACKOFF_MAX_SECS: i64 = 60;

/// What is being guessed: each has its own counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The password of a sign-in.
    Password,
    /// The code (or recovery code) of a sign-in's second step.
    Code,
    /// The password (and code) that confirm a change to one's own credentials.
    Confirm,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Password => "password",
            Step::Code => "code",
            Step::Confirm => "confirm",
        }
    }
}

/// The network a client address belongs to for counting: an IPv4 address alone, an IPv6 address
/// by its /64 (an IPv4 address mapped into IPv6 counts as itself); anything else as written.
pub fn network(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

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

/// The backoff steps past [`ACCOUNT_FREE`]: 2, 4, 8, 16, 32, then [`BACKOFF_MAX_SECS`].
const BACKOFF_STEPS: usize = 6;

fn backoff_secs(step: usize) -> i64 {
    (1_i64 << step.min(BACKOFF_STEPS)).min(BACKOFF_MAX_SECS)
}

/// Counts one guess on an account over every network when its turn has come, in one statement:
/// a guess made before `next_allowed` changes nothing and answers no row. `window_start` holds the
/// last guess, so the count lasts while guesses keep coming; `$4..` are the next turns by how far
/// the count is past the free guesses.
static BACK_OFF: LazyLock<String> = LazyLock::new(|| {
    let turns: String = (1..BACKOFF_STEPS)
        .map(|step| format!("WHEN {} THEN ${} ", ACCOUNT_FREE + step as i64, step + 3))
        .collect();
    format!(
        "INSERT INTO sign_in_throttle (key, window_start, attempts, next_allowed) \
         VALUES ($1, $2, 1, NULL) \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN sign_in_throttle.window_start <= $3 THEN 1 \
             ELSE sign_in_throttle.attempts + 1 END, \
         window_start = $2, \
         next_allowed = CASE WHEN sign_in_throttle.window_start <= $3 \
             OR sign_in_throttle.attempts + 1 <= {ACCOUNT_FREE} THEN NULL \
             ELSE CASE sign_in_throttle.attempts + 1 {turns}ELSE ${} END END \
         WHERE sign_in_throttle.window_start <= $3 OR sign_in_throttle.next_allowed IS NULL \
             OR sign_in_throttle.next_allowed <= $2 \
         RETURNING attempts",
        BACKOFF_STEPS + 3
    )
});

/// The counters one guess has used.
pub(crate) struct Attempt {
    network: String,
    pair: String,
    account: String,
}

impl Core {
    /// Counts a guess of `step` from `address` on `account` (a user uuid, or the name tried when
    /// there is no such user); `RateLimited` when a counter is over its limit or the account's
    /// next turn has not come.
    pub(crate) async fn count_guess(
        &self,
        step: Step,
        account: &str,
        address: Option<&str>,
    ) -> Result<Attempt, CoreError> {
        let step = step.as_str();
        let network = network(address.unwrap_or("unknown"));
        let attempt = Attempt {
            network: sha256_hex(&format!("{step}\nnetwork\n{network}")),
            pair: sha256_hex(&format!("{step}\naccount\n{account}\n{network}")),
            account: sha256_hex(&format!("{step}\naccount\n{account}")),
        };
        self.count(&attempt.network, NETWORK_LIMIT).await?;
        self.count(&attempt.pair, ACCOUNT_LIMIT).await?;
        if let Err(refused) = self.back_off(&attempt.account).await {
            // Not judged: the owner retrying from their own network does not use up its count.
            self.give_back(&attempt.pair).await?;
            self.give_back(&attempt.network).await?;
            return Err(refused);
        }
        Ok(attempt)
    }

    /// Counts one request of a kind limited per window (a reset request per network or per
    /// address); `RateLimited` over `limit`.
    pub(crate) async fn count_request(&self, what: &str, limit: i64) -> Result<(), CoreError> {
        self.count(&sha256_hex(what), limit).await
    }

    /// Counts one request of a kind from the client's network (an IPv4 address, an IPv6 /64);
    /// `RateLimited` past [`NETWORK_LIMIT`] per window.
    pub(crate) async fn count_from_network(
        &self,
        what: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let network = network(client.ip.as_deref().unwrap_or("unknown"));
        self.count_request(&format!("{what}\n{network}"), NETWORK_LIMIT)
            .await
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
            return Err(CoreError::Refused(Refusal::RateLimited(
                wait.unsigned_abs(),
            )));
        }
        Ok(())
    }

    async fn back_off(&self, key: &str) -> Result<(), CoreError> {
        let at = now();
        let counted = with_db!(&self.db, pool => {
            let mut query = sqlx::query_scalar::<_, i64>(&BACK_OFF)
                .bind(key)
                .bind(at)
                .bind(at - Duration::seconds(WINDOW_SECS));
            for step in 1..=BACKOFF_STEPS {
                query = query.bind(at + Duration::seconds(backoff_secs(step)));
            }
            query.fetch_optional(pool).await
        })?;
        if counted.is_some() {
            return Ok(());
        }
        let next = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
                "SELECT next_allowed FROM sign_in_throttle WHERE key = $1",
            )
            .bind(key)
            .fetch_optional(pool)
            .await
        })?
        .flatten()
        .unwrap_or(at);
        let wait = (next - at).num_milliseconds().max(0);
        Err(CoreError::Refused(Refusal::RateLimited(
            ((wait + 999) / 1000).max(1) as u64,
        )))
    }

    /// A guess that was right: that network's failures on that account for that step are
    /// forgotten, by the account's count too (they were the owner's own typos), and the attempt
    /// is given back to the network's count.
    pub(crate) async fn guess_succeeded(&self, attempt: Attempt) -> Result<(), CoreError> {
        let forgotten = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(
                "DELETE FROM sign_in_throttle WHERE key = $1 RETURNING attempts",
            )
            .bind(&attempt.pair)
            .fetch_optional(pool)
            .await
        })?
        .unwrap_or(1);
        with_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE sign_in_throttle SET attempts = CASE WHEN attempts > $2 \
                 THEN attempts - $2 ELSE 0 END WHERE key = $1",
            )
            .bind(&attempt.account)
            .bind(forgotten)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        self.give_back(&attempt.network).await
    }

    /// A guess that was never judged (the server was too busy to check it).
    pub(crate) async fn guess_not_judged(&self, attempt: Attempt) -> Result<(), CoreError> {
        self.give_back(&attempt.pair).await?;
        self.give_back(&attempt.account).await?;
        self.give_back(&attempt.network).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_an_ipv4_one_by_its_address() {
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
        assert_eq!(network("203.0.113.9"), "203.0.113.9");
        assert_eq!(network("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(network("unknown"), "unknown");
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let waits: Vec<i64> = (1..=8).map(backoff_secs).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
