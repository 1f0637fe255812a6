//! Remembered API keys. A keyed request then costs no database work for its credential, while
//! every change that could narrow one (a key revoked, a password changed, a user suspended,
//! deleted or moved to another role, a role changed) is seen within a second on every instance.
//!
//! Three things keep the cache honest:
//! - a [write](super::write::Write) forgets, in this process, what it [narrowed](Narrowed):
//!   that key, that user's keys, that role's members' keys (or everything); a sign-in, mail or a
//!   purge forgets nothing;
//! - a watcher sees the commits of every process, naming what changed: PostgreSQL triggers on
//!   `users`, `roles` and `api_keys` send a notification (delivered only when the change
//!   commits) to every instance's listener; on SQLite the same triggers write
//!   `credential_changes`, which a connection of its own polls;
//! - nothing is remembered unless the watcher is known to be alive: the PostgreSQL listener must
//!   hear a heartbeat every [`WATCH_DEADLINE`], the SQLite poll must succeed. A watcher that
//!   falls silent empties and switches off the cache until it is back.
//!
//! A lookup that raced a change never lands in the cache: it carries the generation it started
//! in, and every forgetting moves the generation on.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Connection;

use uuid::Uuid;

use super::Core;
use crate::principal::{Credential, Principal};
use crate::store::Database;

/// What a committed write may have narrowed among remembered keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Narrowed {
    /// Nothing a key may do: sessions, sign-ins, mail, servers, the log, new records.
    Nothing,
    Key(Uuid),
    /// The user: their keys (their admin flag, role, suspension, fields).
    User(Uuid),
    /// The role: its members' keys.
    Role(Uuid),
}

impl Narrowed {
    /// A change named by a trigger (`key:<uuid>`, `user:<uuid>`, `role:<uuid>`); `None` for
    /// anything else, which forgets everything.
    fn named(kind: &str, uuid: Uuid) -> Option<Self> {
        match kind {
            "key" => Some(Narrowed::Key(uuid)),
            "user" => Some(Narrowed::User(uuid)),
            "role" => Some(Narrowed::Role(uuid)),
            _ => None,
        }
    }

    fn covers(self, principal: &Principal) -> bool {
        match self {
            Narrowed::Nothing => false,
            Narrowed::Key(key) => matches!(
                principal.credential,
                Credential::ApiKey { key_uuid, .. } if key_uuid == key
            ),
            Narrowed::User(user) => principal.user.uuid == user,
            Narrowed::Role(role) => principal
                .user
                .role
                .as_ref()
                .is_some_and(|held| held.uuid == role),
        }
    }
}

/// The PostgreSQL channel the credential triggers notify on (see the migration).
const CHANNEL: &str = "roster_credentials";

/// What a heartbeat says, so that listeners tell it from a change (whose payload is empty).
const HEARTBEAT: &str = "alive";

/// How often each instance sends itself a heartbeat, or polls SQLite.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// How long a watcher may go without a heartbeat before the cache stops trusting it.
pub const WATCH_DEADLINE: Duration = Duration::from_secs(1);

/// The longest any key stays remembered, whatever the watcher says.
const REMEMBER_FOR: Duration = Duration::from_secs(60);

/// Beyond this many keys the cache starts over, so memory stays bounded.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct CredentialCache {
    keys: Mutex<HashMap<String, Remembered>>,
    generation: AtomicU64,
    watched: AtomicBool,
}

#[derive(Debug)]
struct Remembered {
    /// The key's principal, without a client address (each request brings its own).
    principal: Principal,
    expires: Option<DateTime<Utc>>,
    at: Instant,
}

impl CredentialCache {
    /// The principal of the key with this SHA-256, if it is remembered and still good.
    pub(crate) fn get(&self, digest: &str) -> Option<Principal> {
        if !self.watched.load(Ordering::Acquire) {
            return None;
        }
        let keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let remembered = keys.get(digest)?;
        let fresh = remembered.at.elapsed() < REMEMBER_FOR
            && remembered
                .expires
                .is_none_or(|expires| expires > Utc::now());
        fresh.then(|| remembered.principal.clone())
    }

    /// Where a lookup starts: `None` while nothing may be remembered.
    pub(crate) fn generation(&self) -> Option<u64> {
        self.watched
            .load(Ordering::Acquire)
            .then(|| self.generation.load(Ordering::Acquire))
    }

    /// Remembers a key looked up in `generation`, unless something was forgotten since.
    pub(crate) fn remember(
        &self,
        digest: String,
        generation: u64,
        principal: Principal,
        expires: Option<DateTime<Utc>>,
    ) {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.generation.load(Ordering::Acquire) != generation
            || !self.watched.load(Ordering::Acquire)
        {
            return;
        }
        if keys.len() >= MAX_KEYS {
            keys.clear();
        }
        keys.insert(
            digest,
            Remembered {
                principal,
                expires,
                at: Instant::now(),
            },
        );
    }

    /// Forgets the keys a change narrowed; lookups under way will not remember what they read.
    pub(crate) fn forget(&self, narrowed: Narrowed) {
        if narrowed == Narrowed::Nothing {
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|_, remembered| !narrowed.covers(&remembered.principal));
    }

    fn count(&self) -> usize {
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Forgets every key; lookups under way will not remember what they read.
    pub(crate) fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    fn set_watched(&self, watched: bool) {
        self.watched.store(watched, Ordering::Release);
        self.forget_all();
    }
}

/// Switches the cache off when the watcher stops, however it stops (an error, or its task
/// being aborted).
struct Watching<'a>(&'a CredentialCache);

impl<'a> Watching<'a> {
    fn start(cache: &'a CredentialCache) -> Self {
        cache.set_watched(true);
        Watching(cache)
    }
}

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        self.0.set_watched(false);
    }
}

impl Core {
    /// Whether keys are being remembered right now (the watcher runs and is alive).
    pub fn remembers_keys(&self) -> bool {
        self.credentials.generation().is_some()
    }

    /// How many keys this instance remembers now.
    pub fn remembered_keys(&self) -> usize {
        self.credentials.count()
    }

    /// Deletes the SQLite change log older than a minute: every watcher reads it four times a
    /// second, and one that falls further behind than what is kept forgets everything.
    pub async fn purge_credential_changes(&self) -> Result<u64, crate::error::CoreError> {
        let Database::Sqlite(pool) = &self.db else {
            return Ok(0);
        };
        let purged = sqlx::query(
            "DELETE FROM credential_changes \
             WHERE created <= strftime('%Y-%m-%d %H:%M:%f', 'now', '-60 seconds')",
        )
        .execute(pool)
        .await?
        .rows_affected();
        Ok(purged)
    }

    /// Watches the database for changes made by other processes, for as long as the server
    /// runs; the cache is on only while this runs and hears the database. Reconnects on its own.
    pub async fn watch_credentials(&self) {
        loop {
            let stopped = match &self.db {
                Database::Postgres(pool) => self.listen_for_changes(pool).await,
                Database::Sqlite(pool) => self.poll_changes(pool).await,
            };
            if let Err(error) = stopped {
                tracing::warn!(%error, "watching for credential changes stopped; keys are not remembered until it is back");
            }
            tokio::time::sleep(WATCH_DEADLINE).await;
        }
    }

    async fn listen_for_changes(&self, pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let heartbeat = {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(WATCH_EVERY);
                loop {
                    ticks.tick().await;
                    let _ = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(HEARTBEAT)
                        .execute(&pool)
                        .await;
                }
            })
        };
        let _heartbeat = AbortOnDrop(heartbeat);
        let _watching = Watching::start(&self.credentials);
        loop {
            let heard = tokio::time::timeout(WATCH_DEADLINE, listener.try_recv())
                .await
                .map_err(|_| sqlx::Error::Protocol("no heartbeat from the database".into()))??;
            match heard {
                Some(notification) if notification.payload() == HEARTBEAT => {}
                Some(notification) => {
                    let named = notification
                        .payload()
                        .split_once(':')
                        .and_then(|(kind, uuid)| Narrowed::named(kind, uuid.parse().ok()?));
                    match named {
                        Some(narrowed) => self.credentials.forget(narrowed),
                        None => self.credentials.forget_all(),
                    }
                }
                None => return Err(sqlx::Error::Protocol("listener connection lost".into())),
            }
        }
    }

    async fn poll_changes(&self, pool: &sqlx::SqlitePool) -> Result<(), sqlx::Error> {
        let mut connection = sqlx::SqliteConnection::connect_with(&pool.connect_options()).await?;
        let mut seen: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM credential_changes")
                .fetch_one(&mut connection)
                .await?;
        let _watching = Watching::start(&self.credentials);
        let mut ticks = tokio::time::interval(WATCH_EVERY);
        loop {
            ticks.tick().await;
            let changes: Vec<(i64, String, Uuid)> = tokio::time::timeout(
                WATCH_DEADLINE,
                sqlx::query_as(
                    "SELECT id, kind, uuid FROM credential_changes WHERE id > $1 ORDER BY id",
                )
                .bind(seen)
                .fetch_all(&mut connection),
            )
            .await
            .map_err(|_| sqlx::Error::Protocol("the database did not answer".into()))??;
            if changes.first().is_some_and(|(id, _, _)| *id > seen + 1) && seen > 0 {
                // Purged before this watcher read it: what changed is not known.
                self.credentials.forget_all();
            }
            for (id, kind, uuid) in changes {
                seen = id;
                match Narrowed::named(&kind, uuid) {
                    Some(narrowed) => self.credentials.forget(narrowed),
                    None => self.credentials.forget_all(),
                }
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
