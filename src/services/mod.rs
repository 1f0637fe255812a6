//! The use cases. Each takes the acting [`Principal`](crate::Principal) and typed input, and is
//! the one implementation behind both front doors.

mod api_keys;
mod auth;
mod roles;
mod servers;
mod sessions;
mod throttle;
mod users;

pub use auth::{ClientInfo, Credentials, LoginRequest, SESSION_LIFETIME_DAYS, Session};
pub use users::SeedReport;

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use crate::domain::user::User;
use crate::error::{CoreError, Entity};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Backend, Database, Tx, with_db, with_tx};

/// The core, handed to both doors. Cheap to clone: it holds only the pool.
#[derive(Clone, Debug)]
pub struct Core {
    db: Database,
    logins: throttle::LoginThrottle,
}

impl From<sqlx::Error> for CoreError {
    fn from(error: sqlx::Error) -> Self {
        CoreError::Internal(format!("database: {error}"))
    }
}

/// Timestamps are kept to the microsecond, what both databases store.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Core {
    pub fn new(db: Database) -> Self {
        Self {
            db,
            logins: throttle::LoginThrottle::default(),
        }
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
            .ok_or(CoreError::NotFound(Entity::User))
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
    /// Deletes the row with this uuid from `table` (a fixed name, never input); `NotFound` of
    /// `entity` when there was none.
    pub(crate) async fn delete_by_uuid(
        &self,
        table: &'static str,
        uuid: Uuid,
        entity: Entity,
    ) -> Result<(), CoreError> {
        let sql = format!("DELETE FROM {table} WHERE uuid = $1");
        let affected = with_db!(&self.db, pool => {
            sqlx::query(&sql)
                .bind(uuid)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        if affected == 0 {
            return Err(CoreError::NotFound(entity));
        }
        Ok(())
    }
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
