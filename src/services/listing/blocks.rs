//! Positions in the user listing's order without counting from the first user.
//!
//! Users fall into blocks (`user_blocks`): each block starts at a fence key (created, uuid) and
//! holds every user from it up to the next fence; the first fence sorts before every user.
//! Triggers keep each block's size exact on every insert and delete, so the sizes are true
//! whatever the blocks' balance. A deep page sums the sizes of the blocks before it and skips
//! only inside its own block. Balancing (splitting blocks that grew, dropping empty ones) only
//! keeps that skip short; `serve` does it in the background and `seed` after loading.

use crate::error::CoreError;
use crate::store::{dialect, with_db, with_tx};

use crate::services::Core;

/// Users per block after a split, unless the core is built with another size.
pub(crate) const DEFAULT_BLOCK: i64 = 1024;

/// A block is split once it holds more than this many times the block size.
const SPLIT_AT: i64 = 4;

/// The first `limit` page keys (uuid, created) from position `$1` on, in listing order, reached
/// through the block that holds that position.
pub(super) fn deep_page_keys(limit: i64) -> String {
    format!(
        "WITH fence AS (SELECT created, uuid, before FROM (SELECT created, uuid, \
         CAST(sum(size) OVER (ORDER BY created, uuid) - size AS BIGINT) AS before FROM user_blocks) b \
         WHERE before <= $1 ORDER BY created DESC, uuid DESC LIMIT 1) \
         SELECT u.uuid, u.created FROM users u \
         WHERE (u.created, u.uuid) >= (SELECT created, uuid FROM fence) \
         ORDER BY u.created, u.uuid LIMIT {limit} OFFSET $1 - (SELECT before FROM fence)"
    )
}

/// What balancing the blocks did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub split: u64,
    pub dropped: u64,
}

/// Blocks after the first that hold nobody.
const EMPTY_BLOCKS: &str = "size = 0 AND (created, uuid) > \
     (SELECT created, uuid FROM user_blocks ORDER BY created, uuid LIMIT 1)";

/// Splits block `$1` into blocks of `$2` users: its members are the `size` users from its fence
/// on; every `$2`-th of them after the first becomes a fence, holding `$2` users (the last the
/// rest).
const SPLIT: &str = "INSERT INTO user_blocks (created, uuid, size) \
             SELECT created, uuid, CASE WHEN total - rn + 1 < $2 THEN total - rn + 1 ELSE $2 END \
             FROM (SELECT created, uuid, row_number() OVER (ORDER BY created, uuid) AS rn, \
                   count(*) OVER () AS total \
                   FROM (SELECT u.created, u.uuid FROM users u \
                         WHERE (u.created, u.uuid) >= \
                               (SELECT created, uuid FROM user_blocks WHERE id = $1) \
                         ORDER BY u.created, u.uuid \
                         LIMIT (SELECT size FROM user_blocks WHERE id = $1)) members) numbered \
             WHERE rn > 1 AND rn % $2 = 1";

impl Core {
    /// Whether a page starting at `offset` is cheaper to reach through the blocks than by
    /// skipping index entries from the first user.
    pub(super) fn reaches_through_blocks(&self, offset: i64) -> bool {
        offset >= SPLIT_AT * self.block
    }

    /// Splits every block holding more than four times the block size into blocks of that
    /// size, and drops empty blocks. Holds the write lock on users while it counts (SQLite's
    /// `BEGIN IMMEDIATE`; on PostgreSQL a lock that waits for running user writes and holds new
    /// ones for the few milliseconds a split takes), so no size goes stale meanwhile.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn balance_user_blocks(&self) -> Result<Balance, CoreError> {
        let oversized = self.block * SPLIT_AT;
        let needed =
            format!("SELECT count(*) FROM user_blocks WHERE size > $1 OR ({EMPTY_BLOCKS})");
        let pending = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(&needed).bind(oversized).fetch_one(pool).await
        })?;
        if pending == 0 {
            return Ok(Balance::default());
        }
        let mut tx = self.upkeep().await?;
        if let Some(lock) = dialect::user_writes_lock(tx.backend()) {
            with_tx!(&mut tx, conn => sqlx::query(lock).execute(conn).await.map(|_| ()))?;
        }
        let dropped = with_tx!(&mut tx, conn => {
            sqlx::query(&format!("DELETE FROM user_blocks WHERE {EMPTY_BLOCKS}"))
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        let blocks = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, i64>("SELECT id FROM user_blocks WHERE size > $1")
                .bind(oversized)
                .fetch_all(conn)
                .await
        })?;
        for id in &blocks {
            with_tx!(&mut tx, conn => {
                sqlx::query(SPLIT).bind(id).bind(self.block).execute(conn).await.map(|_| ())
            })?;
            with_tx!(&mut tx, conn => {
                sqlx::query("UPDATE user_blocks SET size = $2 WHERE id = $1")
                    .bind(id)
                    .bind(self.block)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        tx.commit().await?;
        Ok(Balance {
            split: blocks.len() as u64,
            dropped,
        })
    }
}
