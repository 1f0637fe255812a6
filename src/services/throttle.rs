//! Failed sign-ins, counted per account name, so that guessing passwords is slow.
//!
//! The count lives in the process: each Roster instance limits on its own, which bounds
//! guessing to a small multiple of the limit on a cluster and needs no shared store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::CoreError;

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(300);

#[derive(Clone, Debug, Default)]
pub struct LoginThrottle {
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
}

fn key(login: &str) -> String {
    login.trim().to_lowercase()
}

impl LoginThrottle {
    /// `RateLimited` while `login` has used up its failures in the current window.
    pub fn check(&self, login: &str, now: Instant) -> Result<(), CoreError> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some((count, since)) = failures.get(&key(login)).copied() else {
            return Ok(());
        };
        let elapsed = now.saturating_duration_since(since);
        if elapsed >= WINDOW {
            failures.remove(&key(login));
            return Ok(());
        }
        if count >= MAX_FAILURES {
            let wait = (WINDOW - elapsed).as_secs().max(1);
            return Err(CoreError::RateLimited(wait));
        }
        Ok(())
    }

    pub fn failed(&self, login: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| now.saturating_duration_since(*since) < WINDOW);
        }
        let entry = failures.entry(key(login)).or_insert((0, now));
        if now.saturating_duration_since(entry.1) >= WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, login: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&key(login));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_try_within_the_window_is_refused_with_the_wait() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert_eq!(throttle.check("Admin", start), Ok(()));
            throttle.failed("admin", start);
        }
        assert_eq!(
            throttle.check(" ADMIN ", start + Duration::from_secs(100)),
            Err(CoreError::RateLimited(200))
        );
        assert_eq!(throttle.check("someone-else", start), Ok(()));
        assert_eq!(throttle.check("admin", start + WINDOW), Ok(()));
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES {
            throttle.failed("admin", now);
        }
        throttle.succeeded("admin");
        assert_eq!(throttle.check("admin", now), Ok(()));
    }
}
