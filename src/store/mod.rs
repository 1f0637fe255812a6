//! Storage: one pool per backend behind one type. Services write each query once; the
//! [`with_db!`] and [`with_tx!`] macros run it on whichever backend is configured. What differs
//! between the dialects stays in [`dialect`].

pub mod dialect;
pub mod rows;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Runs `$body` with `$conn` bound to the pool of whichever backend `$db` holds. Exported for
/// the tests and tools that reach the database past the core.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::store::Database::Sqlite($conn) => $body,
            $crate::store::Database::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the connection of an open transaction.
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $crate::store::tx_of($tx) {
            $crate::store::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

pub(crate) use {with_db, with_tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Names only the scheme: the rest of a database URL may hold a password.
    #[error("unsupported database url scheme `{0}`: use sqlite://... or postgres://...")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How long a request waits for a connection before it is told the database is unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest any statement may run on PostgreSQL; no query of Roster comes near it.
const STATEMENT_TIMEOUT: &str = "10s";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Database {
    /// Opens a pool for `url`; the scheme picks the backend. A missing SQLite file is created.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 1 MiB of pages per connection (SQLite's default is 2 MiB): the eight
                // connections' caches are most of the server's memory under load, and the
                // operating system keeps the file's pages cached besides.
                .pragma("cache_size", "-1024");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            Ok(Database::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // PostgreSQL's JIT compiler stays off: it compiles any statement estimated costly,
            // such as a search whose matches the planner cannot foresee, and for statements as
            // short as Roster's the compiling (about 10 ms) costs more than it saves.
            let options = PgConnectOptions::from_str(url)?
                .options([("statement_timeout", STATEMENT_TIMEOUT), ("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            Ok(Database::Postgres(pool))
        } else {
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            Err(StoreError::UnsupportedUrl(
                scheme.chars().take(32).collect(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Sqlite(_) => Backend::Sqlite,
            Database::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the pending migrations of this backend's dialect.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Database::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Database::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. SQLite takes its single write lock up front, so a
    /// read-check-write cannot lose its snapshot halfway.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}

impl AsMut<Tx> for Tx {
    fn as_mut(&mut self) -> &mut Tx {
        self
    }
}

/// The transaction behind a bare [`Tx`] or a write of the core, for [`with_tx!`].
pub(crate) fn tx_of<T: AsMut<Tx> + ?Sized>(tx: &mut T) -> &mut Tx {
    tx.as_mut()
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// What a failed write tells about the database's invariants.
#[derive(Debug, PartialEq, Eq)]
pub enum Violation {
    /// A unique index refused the row; PostgreSQL names it, SQLite does not.
    Unique(Option<String>),
    ForeignKey,
}

pub fn violation(error: &sqlx::Error) -> Option<Violation> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    match db.kind() {
        sqlx::error::ErrorKind::UniqueViolation => {
            Some(Violation::Unique(db.constraint().map(str::to_owned)))
        }
        sqlx::error::ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unsupported_url_is_reported_without_its_password() {
        let error = Database::connect("mysql://roster:hunter2@db.internal/roster")
            .await
            .expect_err("mysql is not supported");
        let message = error.to_string();
        assert_eq!(
            message,
            "unsupported database url scheme `mysql`: use sqlite://... or postgres://..."
        );
        assert!(!message.contains("hunter2"));
    }
}
