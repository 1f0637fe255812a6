//! CSV exports of the user listing: every user a view selects (its search, filters and order,
//! not its page), streamed as they are read, so that a million users never sit in memory.

use futures_util::TryStreamExt;
use tokio::sync::mpsc;

use super::Core;
use super::listing::{Selection, key_sql};
use crate::domain::export::ExportColumns;
use crate::domain::page::ListQuery;
use crate::domain::user::User;
use crate::error::CoreError;
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Database, with_db};

/// Bytes of CSV gathered before they are handed on.
const CHUNK: usize = 64 * 1024;

/// Chunks waiting for a slow reader before the export waits for it.
const CHUNKS_AHEAD: usize = 4;

/// The chunks of an export, in order; an error ends it.
pub type ExportStream = mpsc::Receiver<Result<Vec<u8>, CoreError>>;

impl Core {
    /// The users `query` selects, in its order, as CSV with `columns` (a header, then one record
    /// per user, each cell safe for spreadsheets). Reading starts now and goes on while the
    /// stream is read; it stops when the stream is dropped.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn export_users(
        &self,
        principal: &Principal,
        query: &ListQuery,
        columns: ExportColumns,
    ) -> Result<ExportStream, CoreError> {
        principal.require(Permission::UsersRead)?;
        let backend = self.backend();
        let Selection { filter, bound, .. } = Selection::of(backend, query);
        let key = key_sql(query.sort.key, backend);
        let direction = if query.sort.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {USER_FROM} {filter} \
             ORDER BY {key} {direction}, u.uuid {direction}"
        );
        Ok(stream_csv::<UserRow, _>(
            self.db.clone(),
            sql,
            bound,
            columns.header(),
            move |row| columns.record(&User::from(row)),
        ))
    }
}

/// The rows of `sql` (with `bound` as `$1`, if any) as CSV: `header`, then `record` of each row.
/// Reading starts now, on a task of its own, and goes on as the stream is read; it stops when
/// the stream is dropped.
pub(crate) fn stream_csv<R, F>(
    db: Database,
    sql: String,
    bound: Option<String>,
    header: Vec<&'static str>,
    record: F,
) -> ExportStream
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
        + 'static,
    F: Fn(R) -> Vec<String> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(async move {
        if let Err(error) = write_csv(&db, &sql, bound, header, record, &sender).await {
            tracing::warn!(%error, "export stopped");
            let _ = sender.send(Err(error)).await;
        }
    });
    receiver
}

/// Reads the rows of `sql` and sends them on as CSV chunks, until they end or nobody listens.
async fn write_csv<R, F>(
    db: &Database,
    sql: &str,
    bound: Option<String>,
    header: Vec<&'static str>,
    record: F,
    sender: &mpsc::Sender<Result<Vec<u8>, CoreError>>,
) -> Result<(), CoreError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
    F: Fn(R) -> Vec<String>,
{
    let new_writer = || csv::Writer::from_writer(Vec::with_capacity(CHUNK + 16 * 1024));
    let written = |writer: csv::Writer<Vec<u8>>| {
        writer
            .into_inner()
            .map_err(|e| CoreError::internal(e.into_error()))
    };
    let mut writer = new_writer();
    writer.write_record(header).map_err(CoreError::internal)?;
    with_db!(db, pool => {
        let mut q = sqlx::query_as::<_, R>(sql);
        if let Some(bound) = &bound {
            q = q.bind(bound);
        }
        let mut rows = q.fetch(pool);
        while let Some(row) = rows.try_next().await? {
            writer.write_record(record(row)).map_err(CoreError::internal)?;
            // The writer buffers a few KiB of its own, and writes through as they fill.
            if writer.get_ref().len() >= CHUNK {
                let chunk = written(std::mem::replace(&mut writer, new_writer()))?;
                if sender.send(Ok(chunk)).await.is_err() {
                    return Ok(());
                }
            }
        }
    });
    let _ = sender.send(Ok(written(writer)?)).await;
    Ok(())
}
