//! Idempotent requests: a client that sends `Idempotency-Key` and retries (after a timeout, a
//! dropped connection) gets the first reply again instead of a second write. Keys are kept in
//! the database for 24 hours, per caller, so they hold across instances and restarts.
//!
//! The first request claims its key before it runs. The door hands the hold to the request's
//! [`Principal`](crate::Principal), and the write it makes marks the claim in its own transaction
//! (see [`Write::commit`](super::write::Write::commit)), so a claim whose request died is told apart from one
//! whose write landed: the first may be claimed again once it is older than any request can
//! run, the second is never written twice.

use crate::error::Refusal;
use chrono::{DateTime, Duration, Utc};

use super::{Core, now};
use crate::error::CoreError;
use crate::principal::IdempotencyHold;
use crate::secret::sha256_hex;
use crate::store::{Tx, with_db, with_tx};

/// How long a key is remembered.
pub const KEPT_FOR_HOURS: i64 = 24;

/// Longer than any request may run (the server cuts requests off at 30 seconds): a claim this
/// old whose write never committed belongs to a request that died.
const ABANDONED_AFTER_SECS: i64 = 60;

/// The longest `Idempotency-Key` taken.
const MAX_KEY_LEN: usize = 255;

/// What a request with `Idempotency-Key` does.
#[derive(Debug)]
pub enum Claim {
    /// Runs, holding the key: its reply is kept with [`Core::keep_reply`].
    Run(IdempotencyHold),
    /// Answers the first request's reply again, writing nothing.
    Replay { status: u16, body: String },
}

#[derive(sqlx::FromRow)]
struct KeptRow {
    request: String,
    status: Option<i32>,
    body: Option<String>,
    created: DateTime<Utc>,
}

impl Core {
    /// Claims `key` for a request of the caller who presented `credential`, or finds the reply
    /// to replay. `request` describes the request (method, path, body), to tell a retry from a
    /// different request reusing the key.
    pub async fn claim_idempotency_key(
        &self,
        credential: &str,
        key: &str,
        request: &[u8],
    ) -> Result<Claim, CoreError> {
        if key.is_empty()
            || key.len() > MAX_KEY_LEN
            || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        {
            return Err(CoreError::Refused(Refusal::InvalidIdempotencyKey));
        }
        let held = IdempotencyHold {
            caller: sha256_hex(credential),
            key: key.to_owned(),
        };
        let request = super::conditional::digest_tag(request);
        let created = now();
        let inserted = with_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO idempotency_keys (caller, key, request, created) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (caller, key) DO NOTHING",
            )
            .bind(&held.caller)
            .bind(&held.key)
            .bind(&request)
            .bind(created)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        if inserted == 1 {
            return Ok(Claim::Run(held));
        }
        let kept = with_db!(&self.db, pool => {
            sqlx::query_as::<_, KeptRow>(
                "SELECT request, status, body, created FROM idempotency_keys \
                 WHERE caller = $1 AND key = $2",
            )
            .bind(&held.caller)
            .bind(&held.key)
            .fetch_optional(pool)
            .await
        })?;
        // Purged between the two statements, at the end of its 24 hours: the client retries.
        let kept = kept.ok_or(CoreError::Refused(Refusal::IdempotencyKeyInFlight))?;
        let expired = kept.created <= created - Duration::hours(KEPT_FOR_HOURS);
        let outlived = kept.created <= created - Duration::seconds(ABANDONED_AFTER_SECS);
        let abandoned = kept.status.is_none() && outlived;
        if expired || abandoned {
            let retaken = with_db!(&self.db, pool => {
                sqlx::query(
                    "UPDATE idempotency_keys SET request = $3, status = NULL, body = NULL, \
                     created = $4 WHERE caller = $1 AND key = $2 AND created = $5",
                )
                .bind(&held.caller)
                .bind(&held.key)
                .bind(&request)
                .bind(created)
                .bind(kept.created)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })?;
            return if retaken == 1 {
                Ok(Claim::Run(held))
            } else {
                Err(CoreError::Refused(Refusal::IdempotencyKeyInFlight))
            };
        }
        if kept.request != request {
            return Err(CoreError::Refused(Refusal::IdempotencyKeyReused));
        }
        match (kept.status, kept.body) {
            (None, _) => Err(CoreError::Refused(Refusal::IdempotencyKeyInFlight)),
            (Some(status), Some(body)) if status > 0 => Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body,
            }),
            // Committed, reply not kept yet: the first request is finishing, unless it is
            // older than any request can run (then its reply was lost).
            (Some(0), _) if !outlived => Err(CoreError::Refused(Refusal::IdempotencyKeyInFlight)),
            _ => Err(CoreError::Refused(Refusal::IdempotentReplyNotKept)),
        }
    }

    /// Keeps the reply to a request that held `held`: a success is kept to be replayed (its
    /// body only if it holds no secret); after a failure the key is free again, unless a write
    /// of the request committed.
    pub async fn keep_reply(
        &self,
        held: &IdempotencyHold,
        status: u16,
        body: Option<String>,
    ) -> Result<(), CoreError> {
        let kept = (200..300).contains(&status);
        with_db!(&self.db, pool => {
            let query = if kept {
                sqlx::query(
                    "UPDATE idempotency_keys SET status = $3, body = $4 \
                     WHERE caller = $1 AND key = $2",
                )
                .bind(&held.caller)
                .bind(&held.key)
                .bind(i32::from(status))
                .bind(body.as_deref())
            } else {
                sqlx::query(
                    "DELETE FROM idempotency_keys \
                     WHERE caller = $1 AND key = $2 AND status IS NULL",
                )
                .bind(&held.caller)
                .bind(&held.key)
            };
            query.execute(pool).await.map(|_| ())
        })?;
        Ok(())
    }

    /// Forgets keys older than their 24 hours.
    pub async fn purge_idempotency_keys(&self) -> Result<u64, CoreError> {
        self.delete_up_to(
            "idempotency_keys",
            "created",
            now() - Duration::hours(KEPT_FOR_HOURS),
        )
        .await
    }
}

/// Marks a held key as used, inside the transaction of the request's write: from its commit on,
/// the request can never run twice.
pub(crate) async fn mark_used(tx: &mut Tx, held: &IdempotencyHold) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => {
        sqlx::query(
            "UPDATE idempotency_keys SET status = 0 \
             WHERE caller = $1 AND key = $2 AND status IS NULL",
        )
        .bind(&held.caller)
        .bind(&held.key)
        .execute(conn)
        .await
        .map(|_| ())
    })
}
