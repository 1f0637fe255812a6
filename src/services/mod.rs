//! The use cases. Each takes the acting [`Principal`](crate::Principal) and typed input, and is
//! the one implementation behind both front doors.

pub mod account;
pub(crate) mod activity;
mod api_keys;
mod auth;
mod bulk;
pub mod conditional;
mod credentials;
mod export;
pub mod idempotency;
mod impersonation;
mod listing;
pub mod mail;
mod oauth;
pub mod passwords;
mod provisioning;
pub(crate) mod roles;
mod security_keys;
mod seed;
mod servers;
mod sessions;
pub mod throttle;
mod two_factor;
mod users;
pub mod webhooks;
mod write;

pub use auth::{ClientInfo, Credentials, LoginRequest, SESSION_LIFETIME_DAYS, Session, SignIn};
pub use credentials::WATCH_DEADLINE;
pub use export::ExportStream;
pub use impersonation::ACTING_MINUTES;
pub use listing::blocks::Balance;
pub use oauth::{OAuthOutcome, OAuthStart};
pub use provisioning::provisioning_permissions;
pub use security_keys::{CEREMONY_MINUTES, KeyChallenge, KeyRegistration, MAX_KEYS};
pub use seed::SeedReport;
pub use two_factor::CHALLENGE_MINUTES;

use crate::error::Refusal;
use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use crate::domain::page::{ListQuery, Page};
use crate::domain::user::User;
use crate::error::{Conflict, CoreError, Entity};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::secret::Hasher;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Backend, Database, Tx, Violation, violation, with_db, with_tx};

/// The core, handed to both doors. Cheap to clone: it holds the pool, the bounded password
/// hasher and the remembered API keys (which the database's changes keep true); every other
/// piece of state lives in the database.
#[derive(Clone, Debug)]
pub struct Core {
    db: Database,
    hasher: Hasher,
    credentials: std::sync::Arc<credentials::CredentialCache>,
    mail: mail::MailSettings,
    /// Users per block of the listing order (see [`user_blocks`]).
    block: i64,
    /// Work a request starts but does not wait for, so that its answer takes the same time
    /// whatever the work finds (a reset link for an address that has an account).
    deferred: tokio_util::task::TaskTracker,
    /// How webhooks are sent (which addresses, which schemes, how often tried).
    webhooks: std::sync::Arc<webhooks::WebhookSettings>,
    /// Writes without their activity rows: only in builds for measuring what the log costs.
    #[cfg(feature = "measure")]
    unlogged: bool,
}

impl From<sqlx::Error> for CoreError {
    /// A database that cannot be reached (no connection in time, a dropped connection, a server
    /// shutting down or cancelling a statement) is a passing condition, not a bug.
    fn from(error: sqlx::Error) -> Self {
        let unreachable = match &error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => true,
            // Class 57: operator intervention (shutdown, cancelled or timed-out statement);
            // class 08: connection exception.
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
            _ => false,
        };
        if unreachable {
            tracing::warn!(%error, "database unavailable");
            CoreError::Unavailable
        } else {
            CoreError::internal(error)
        }
    }
}

/// Timestamps are kept to the microsecond, what both databases store.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Core {
    pub fn new(db: Database) -> Self {
        Self::with_hasher(db, Hasher::sized_to_cores())
    }

    pub fn with_hasher(db: Database, hasher: Hasher) -> Self {
        Self {
            db,
            hasher,
            credentials: Default::default(),
            mail: mail::MailSettings::default(),
            block: listing::blocks::DEFAULT_BLOCK,
            deferred: tokio_util::task::TaskTracker::new(),
            webhooks: Default::default(),
            #[cfg(feature = "measure")]
            unlogged: false,
        }
    }

    /// A core whose writes record no activity, to measure what the log costs. Exists only in
    /// builds with the `measure` feature, never in the server Roster ships.
    #[cfg(feature = "measure")]
    pub fn without_activity_log(mut self) -> Self {
        self.unlogged = true;
        self
    }

    /// Which endpoints webhooks may reach, and how they are retried.
    pub fn with_webhook_settings(mut self, settings: webhooks::WebhookSettings) -> Self {
        self.webhooks = std::sync::Arc::new(settings);
        self
    }

    /// Where the links in mail point and who mail comes from.
    pub fn with_mail_settings(mut self, settings: mail::MailSettings) -> Self {
        self.mail = settings;
        self
    }

    /// Users per block of the listing order (at least 2): smaller blocks make a deep page
    /// skip fewer users and balancing split more often.
    pub fn with_listing_block(mut self, block: i64) -> Self {
        assert!(block >= 2, "a listing block holds at least two users");
        self.block = block;
        self
    }

    /// Waits for the work requests have deferred (see `deferred`) to finish: at shutdown, and
    /// wherever what it writes must be read next.
    pub async fn settle(&self) {
        self.deferred.close();
        self.deferred.wait().await;
        self.deferred.reopen();
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The number of users, for the console's front page.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn user_count(&self, principal: &Principal) -> Result<i64, CoreError> {
        principal.require(Permission::UsersRead)?;
        self.count_users().await
    }

    /// The number of users, on the operator's authority (start-up checks).
    pub async fn count_users(&self) -> Result<i64, CoreError> {
        let count = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT total FROM user_count").fetch_one(pool).await
        })?;
        Ok(count)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), CoreError> {
        with_db!(&self.db, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub(crate) async fn find_user(&self, uuid: Uuid) -> Result<Option<User>, CoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        Ok(row.map(User::from))
    }

    pub(crate) async fn load_user(&self, uuid: Uuid) -> Result<User, CoreError> {
        self.find_user(uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
    }
}

/// Reads a user inside a transaction, locking the row on PostgreSQL.
pub(crate) async fn user_for_update(tx: &mut Tx, uuid: Uuid) -> Result<Option<User>, CoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.uuid = $1{}",
        crate::store::dialect::for_update(tx.backend())
    );
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, UserRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    Ok(row.map(User::from))
}

impl Core {
    /// Deletes the rows of `table` whose `column` (both fixed names, never input) lies at or
    /// before `before`: what the periodic purges share.
    pub(crate) async fn delete_up_to(
        &self,
        table: &'static str,
        column: &'static str,
        before: DateTime<Utc>,
    ) -> Result<u64, CoreError> {
        let sql = format!("DELETE FROM {table} WHERE {column} <= $1");
        let deleted = with_db!(&self.db, pool => {
            sqlx::query(&sql)
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(deleted)
    }
}

/// Deletes the row with this uuid from `table` (a fixed name, never input) inside the caller's
/// transaction, which has already read, checked and logged it.
/// What a write's unique index refusing a row means: `conflict`; any other failure stays the
/// database's.
pub(crate) fn unique_as(conflict: Conflict) -> impl Fn(sqlx::Error) -> CoreError {
    move |error| match violation(&error) {
        Some(Violation::Unique(_)) => CoreError::Refused(Refusal::Conflict(conflict)),
        _ => error.into(),
    }
}

pub(crate) async fn delete_by_uuid(
    tx: &mut Tx,
    table: &'static str,
    uuid: Uuid,
) -> Result<(), CoreError> {
    let sql = format!("DELETE FROM {table} WHERE uuid = $1");
    with_tx!(tx, conn => sqlx::query(&sql).bind(uuid).execute(conn).await.map(|_| ()))?;
    Ok(())
}

/// A page of `R` rows as `T`: `count_sql` and `page_sql` bind `owner` as `$1` when there is one,
/// then the search term, if the query has one.
pub(crate) async fn page_of<R, T>(
    core: &Core,
    count_sql: &str,
    page_sql: &str,
    owner: Option<Uuid>,
    query: &ListQuery,
) -> Result<Page<T>, CoreError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
    T: From<R>,
{
    let search = query.search.as_deref();
    let total = with_db!(&core.db, pool => {
        let mut q = sqlx::query_scalar::<_, i64>(count_sql);
        if let Some(owner) = owner {
            q = q.bind(owner);
        }
        if let Some(term) = search {
            q = q.bind(term);
        }
        q.fetch_one(pool).await
    })?;
    let rows = with_db!(&core.db, pool => {
        let mut q = sqlx::query_as::<_, R>(page_sql);
        if let Some(owner) = owner {
            q = q.bind(owner);
        }
        if let Some(term) = search {
            q = q.bind(term);
        }
        q.fetch_all(pool).await
    })?;
    Ok(Page {
        total,
        per_page: query.per_page,
        page: query.page,
        data: rows.into_iter().map(T::from).collect(),
    })
}

/// Whether a row with this uuid exists in `table` (a fixed name, never input).
pub(crate) async fn exists(
    tx: &mut Tx,
    table: &'static str,
    uuid: Uuid,
) -> Result<bool, CoreError> {
    let sql = format!("SELECT count(*) FROM {table} WHERE uuid = $1");
    let count = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(&sql).bind(uuid).fetch_one(conn).await
    })?;
    Ok(count > 0)
}
