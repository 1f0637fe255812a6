//! Positions in the user listing's orders without counting from the first user.
//!
//! Each order has its blocks (`user_blocks` for the listing's own order, `user_blocks_<key>`
//! for the others, their fences keyed as the order's index is). Users fall into blocks: each
//! block starts at a fence key (the order's key, uuid) and holds every user from it up to the
//! next fence; the first fence sorts before every user. Triggers keep each block's size exact
//! on every insert, delete and change of a key, so the sizes are true whatever the blocks'
//! balance. A deep page sums the sizes of the blocks before it and skips
//! only inside its own block. Balancing (splitting blocks that grew, dropping empty ones) only
//! keeps that skip short; `serve` does it in the background and `seed` after loading.

use strum::VariantArray;

use super::key_sql;
use crate::domain::page::SortKey;
use crate::error::CoreError;
use crate::store::{Backend, dialect, with_db, with_tx};

use crate::services::Core;

/// Users per block after a split, unless the core is built with another size.
pub(crate) const DEFAULT_BLOCK: i64 = 1024;

/// A block is split once it holds more than this many times the block size.
const SPLIT_AT: i64 = 4;

/// The first `limit` page keys (uuid, k) in `key`'s ascending order from position `$1` on,
/// reached through the block that holds that position.
pub(super) fn deep_page_keys(key: SortKey, backend: Backend, limit: i64) -> String {
    let (table, fence) = blocks_of(key);
    let expr = key_sql(key, backend);
    let (fence_key, from) = fence_range(key, backend, "(SELECT k FROM fence)");
    format!(
        "WITH fence AS (SELECT k, uuid, before FROM (SELECT {fence_key} AS k, uuid, \
         CAST(sum(size) OVER (ORDER BY {fence}, uuid) - size AS BIGINT) AS before FROM {table}) b \
         WHERE before <= $1 ORDER BY k DESC, uuid DESC LIMIT 1) \
         SELECT u.uuid, {expr} AS k FROM users u \
         WHERE {from}({expr}, u.uuid) >= (SELECT k, uuid FROM fence) \
         ORDER BY {expr}, u.uuid LIMIT {limit} OFFSET $1 - (SELECT before FROM fence)"
    )
}

/// How a fence's key is read, and the condition that starts a walk of `key`'s index at a fence
/// whose key is `at`. SQLite finds the start of a row-value range in an index on a column, but
/// not in an index on an expression: there the key alone starts the range (the row value then
/// drops the few users with that key before the fence's uuid), and the fence's key is read
/// without its column's text affinity, which would keep the expression's index out.
fn fence_range(key: SortKey, backend: Backend, at: &str) -> (String, String) {
    let (_, fence) = blocks_of(key);
    match (backend, key) {
        (Backend::Postgres, _) | (Backend::Sqlite, SortKey::Created) => {
            (fence.to_owned(), String::new())
        }
        (Backend::Sqlite, _) => (
            format!("+{fence}"),
            format!("{} >= {at} AND ", key_sql(key, backend)),
        ),
    }
}

/// The table holding the blocks of `key`'s order, and the column holding its fences' keys.
fn blocks_of(key: SortKey) -> (&'static str, &'static str) {
    match key {
        SortKey::Created => ("user_blocks", "created"),
        SortKey::Username => ("user_blocks_username", "key"),
        SortKey::Email => ("user_blocks_email", "key"),
        SortKey::LastLogin => ("user_blocks_last_login", "key"),
        SortKey::NameLast => ("user_blocks_name_last", "key"),
    }
}

/// What balancing the blocks did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub split: u64,
    pub dropped: u64,
}

/// Blocks of `table` after the first that hold nobody.
fn empty_blocks(table: &str, fence: &str) -> String {
    format!(
        "size = 0 AND ({fence}, uuid) > \
         (SELECT {fence}, uuid FROM {table} ORDER BY {fence}, uuid LIMIT 1)"
    )
}

/// Splits block `$1` of `key`'s order into blocks of `$2` users: its members are the `size`
/// users from its fence on; every `$2`-th of them after the first becomes a fence, holding `$2`
/// users (the last the rest).
fn split(key: SortKey, backend: Backend) -> String {
    let (table, fence) = blocks_of(key);
    let expr = key_sql(key, backend);
    let (fence_key, _) = fence_range(key, backend, "");
    let (_, from) = fence_range(
        key,
        backend,
        &format!("(SELECT {fence_key} FROM {table} WHERE id = $1)"),
    );
    format!(
        "INSERT INTO {table} ({fence}, uuid, size) \
         SELECT k, uuid, CASE WHEN total - rn + 1 < $2 THEN total - rn + 1 ELSE $2 END \
         FROM (SELECT k, uuid, row_number() OVER (ORDER BY k, uuid) AS rn, \
               count(*) OVER () AS total \
               FROM (SELECT {expr} AS k, u.uuid FROM users u \
                     WHERE {from}({expr}, u.uuid) >= \
                           (SELECT {fence_key}, uuid FROM {table} WHERE id = $1) \
                     ORDER BY {expr}, u.uuid \
                     LIMIT (SELECT size FROM {table} WHERE id = $1)) members) numbered \
         WHERE rn > 1 AND rn % $2 = 1"
    )
}

impl Core {
    /// Whether a page starting at `offset` is cheaper to reach through the blocks than by
    /// skipping index entries from the first user.
    pub(super) fn reaches_through_blocks(&self, offset: i64) -> bool {
        offset >= SPLIT_AT * self.block
    }

    /// Splits every block holding more than four times the block size into blocks of that
    /// size, and drops empty blocks, in every order's blocks. Holds the write lock on users
    /// while it counts (SQLite's `BEGIN IMMEDIATE`; on PostgreSQL a lock that waits for running
    /// user writes and holds new ones for the few milliseconds a split takes), so no size goes
    /// stale meanwhile.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn balance_user_blocks(&self) -> Result<Balance, CoreError> {
        let oversized = self.block * SPLIT_AT;
        let needed = SortKey::VARIANTS
            .iter()
            .map(|key| {
                let (table, fence) = blocks_of(*key);
                let empty = empty_blocks(table, fence);
                format!("(SELECT count(*) FROM {table} WHERE size > $1 OR ({empty}))")
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let pending = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(&format!("SELECT {needed}"))
                .bind(oversized)
                .fetch_one(pool)
                .await
        })?;
        if pending == 0 {
            return Ok(Balance::default());
        }
        let mut tx = self.upkeep().await?;
        let backend = tx.backend();
        if let Some(lock) = dialect::user_writes_lock(backend) {
            with_tx!(&mut tx, conn => sqlx::query(lock).execute(conn).await.map(|_| ()))?;
        }
        let mut balance = Balance::default();
        for key in SortKey::VARIANTS {
            let (table, fence) = blocks_of(*key);
            let empty = empty_blocks(table, fence);
            balance.dropped += with_tx!(&mut tx, conn => {
                sqlx::query(&format!("DELETE FROM {table} WHERE {empty}"))
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
            })?;
            let blocks = with_tx!(&mut tx, conn => {
                sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM {table} WHERE size > $1"))
                    .bind(oversized)
                    .fetch_all(conn)
                    .await
            })?;
            let split = split(*key, backend);
            let resize = format!("UPDATE {table} SET size = $2 WHERE id = $1");
            for id in &blocks {
                with_tx!(&mut tx, conn => {
                    sqlx::query(&split).bind(id).bind(self.block).execute(conn).await.map(|_| ())
                })?;
                with_tx!(&mut tx, conn => {
                    sqlx::query(&resize)
                        .bind(id)
                        .bind(self.block)
                        .execute(conn)
                        .await
                        .map(|_| ())
                })?;
            }
            balance.split += blocks.len() as u64;
        }
        tx.commit().await?;
        Ok(balance)
    }
}
