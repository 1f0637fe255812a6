//! Password hashing (Argon2id, off the async runtime) and the random tokens of sessions and API
//! keys, which are stored only as SHA-256 digests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::fields::Password;
use crate::error::CoreError;

pub const API_KEY_PREFIX: &str = "ptlc_";
/// How much of a key is stored in clear to find it: the prefix and 11 random characters.
pub const API_KEY_START_LEN: usize = API_KEY_PREFIX.len() + 11;

fn join_error(error: tokio::task::JoinError) -> CoreError {
    CoreError::internal(error)
}

/// Argon2 work, bounded: each hash takes about 19 MiB and a core for a while, so only a few run
/// at once, and a caller that cannot get a turn in time is told the server is busy instead of
/// queueing without end. The rest of the runtime (reads, key checks) keeps its cores.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    admissions: Arc<Semaphore>,
    /// The checks running per account, so that one account's flood cannot take every turn.
    accounts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    wait: Duration,
}

/// Checks of one account's secret that may run at once: the rest wait their turn in a line of
/// their own, so that one account's flood holds at most this many of the hashing turns that
/// everyone's sign-ins share.
pub const CHECKS_PER_ACCOUNT: usize = 1;

/// One account's turn to have a secret checked; the account's entry goes when its last turn does.
struct AccountTurn {
    permit: Option<OwnedSemaphorePermit>,
    account: String,
    accounts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl Drop for AccountTurn {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if accounts
            .get(&self.account)
            .is_some_and(|turns| Arc::strong_count(turns) == 1)
        {
            accounts.remove(&self.account);
        }
    }
}

/// A sign-in's turn: held for the whole attempt, so that a storm of sign-ins waits in line at
/// no cost instead of crowding out every other request with its lookups and counters.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

/// Sign-ins admitted at once, per hash that may run at once.
const ADMISSIONS_PER_HASH: usize = 4;

impl Hasher {
    pub fn new(concurrent: usize, wait: Duration) -> Self {
        let concurrent = concurrent.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrent)),
            admissions: Arc::new(Semaphore::new(concurrent * ADMISSIONS_PER_HASH)),
            accounts: Arc::default(),
            wait,
        }
    }

    /// Waits for a sign-in's turn; `Busy` when none comes in time.
    pub async fn admit(&self) -> Result<Admission, CoreError> {
        tokio::time::timeout(self.wait, self.admissions.clone().acquire_owned())
            .await
            .map_err(|_| CoreError::Busy)?
            .map(|permit| Admission { _permit: permit })
            .map_err(|_| CoreError::Busy)
    }

    /// One hash at a time per core but one, so that at least one core stays free for
    /// everything else; at least one.
    pub fn sized_to_cores() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores.saturating_sub(1).max(1), Duration::from_secs(5))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CoreError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| CoreError::Busy)?
            .map_err(|_| CoreError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(join_error)
    }

    /// Hashes a password with Argon2id on the blocking pool.
    pub async fn hash(&self, password: Password) -> Result<String, CoreError> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| CoreError::internal(format!("argon2 hash failed: {e}")))
        })
        .await?
    }

    async fn account_turn(&self, account: &str) -> Result<AccountTurn, CoreError> {
        let turns = {
            let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            accounts
                .entry(account.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(CHECKS_PER_ACCOUNT)))
                .clone()
        };
        let mut turn = AccountTurn {
            permit: None,
            account: account.to_owned(),
            accounts: self.accounts.clone(),
        };
        let permit = tokio::time::timeout(self.wait, turns.acquire_owned())
            .await
            .map_err(|_| CoreError::Busy)?
            .map_err(|_| CoreError::Busy)?;
        turn.permit = Some(permit);
        Ok(turn)
    }

    /// Checks a password of `account` (whatever names it: a uuid, a name tried): at most
    /// [`CHECKS_PER_ACCOUNT`] of one account at once, so that one user's flood cannot starve
    /// everyone else's sign-ins.
    pub async fn verify_for(
        &self,
        account: &str,
        hash: Option<String>,
        password: String,
    ) -> Result<bool, CoreError> {
        let _turn = self.account_turn(account).await?;
        self.verify(hash, password).await
    }

    /// Checks a password against a stored hash (or a decoy when there is none, so that a wrong
    /// username takes as long as a wrong password).
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, CoreError> {
        self.run(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| decoy_hash().to_owned());
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return false;
            };
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            known && matches
        })
        .await
    }
}

/// A hash that matches no password, verified when the account does not exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random_token().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Compares two digests without an early exit.
pub fn digests_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A new API key: the full key (shown once) and its stored, non-secret start.
pub fn new_api_key() -> (String, String) {
    let key = format!("{API_KEY_PREFIX}{}", random_token());
    let start = key[..API_KEY_START_LEN].to_owned();
    (key, start)
}

/// The stored start of a presented key, or `None` when it cannot be one of ours.
pub fn api_key_start(key: &str) -> Option<&str> {
    let valid = key.starts_with(API_KEY_PREFIX)
        && key.len() == API_KEY_PREFIX.len() + 43
        && key[API_KEY_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then(|| &key[..API_KEY_START_LEN])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_are_recognised_by_their_start() {
        let (key, start) = new_api_key();
        assert_eq!(api_key_start(&key), Some(start.as_str()));
        assert!(key.starts_with("ptlc_"));
    }

    #[test]
    fn malformed_keys_have_no_start() {
        for bad in [
            "",
            "ptlc_",
            "ptlc_short",
            "xxxx_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(api_key_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn digests_match_only_equal_strings() {
        assert!(digests_match("abc", "abc"));
        assert!(!digests_match("abc", "abd"));
        assert!(!digests_match("abc", "ab"));
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hasher = Hasher::sized_to_cores();
        let hash = hasher
            .hash(Password::parse("correct horse".into()).unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify(Some(hash.clone()), "correct horse".into())
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(Some(hash), "wrong horse".into())
                .await
                .unwrap()
        );
        assert!(!hasher.verify(None, "anything".into()).await.unwrap());
    }

    #[tokio::test]
    async fn a_caller_that_cannot_get_a_turn_in_time_is_told_the_server_is_busy() {
        let hasher = Hasher::new(1, Duration::from_millis(50));
        let held = hasher.permits.clone().acquire_owned().await.unwrap();
        assert_eq!(
            hasher.verify(None, "anything".into()).await,
            Err(CoreError::Busy)
        );
        drop(held);
        assert_eq!(hasher.verify(None, "anything".into()).await, Ok(false));
    }

    #[tokio::test]
    async fn one_account_waits_in_its_own_line_and_others_are_not_held_up() {
        let hasher = Hasher::new(4, Duration::from_millis(50));
        let first = hasher.account_turn("a").await.unwrap();
        assert!(matches!(
            hasher.account_turn("a").await,
            Err(CoreError::Busy)
        ));
        assert_eq!(
            hasher.verify_for("b", None, "anything".into()).await,
            Ok(false)
        );
        drop(first);
        let again = hasher.account_turn("a").await.unwrap();
        drop(again);
        assert!(hasher.accounts.lock().unwrap().is_empty());
    }
}
