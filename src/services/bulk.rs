//! Bulk actions as jobs. Starting one records the job and its users (in the listing's order);
//! whichever instance claims it then works through them in batches, checking before each batch
//! that whoever started it still may (same credential, same user, not suspended), renewing its
//! claim, and stopping at a cancel. A dry run judges each user by the rules of the single change
//! and changes nothing; a real run makes each user's change through the single change itself
//! (its own write, activity row and webhook), so no rule is written twice. An instance that stops
//! mid-batch leaves its claim to run out; another takes the job from the first user without an
//! outcome, and a change made but not yet recorded is judged again (and found done: skipped).

use std::collections::HashMap;

use chrono::Duration;
use futures_util::StreamExt;
use uuid::Uuid;

use super::export::{ExportStream, stream_csv};
use super::listing::Selection;
use super::users::{authorize_update, require_authority_over};
use super::{Core, now};
use crate::domain::bulk::{BulkAction, BulkSelection, Job, JobItem, JobState, NewBulk, Outcome};
use crate::domain::export::spreadsheet_safe;
use crate::domain::page::{ListQuery, Page};
use crate::domain::precondition::Precondition;
use crate::domain::user::{User, UserPatch};
use crate::error::{CoreError, Entity, Guardrail, Refusal};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Backend, dialect, with_db, with_tx};

/// Users judged or changed between two looks at the job (its state, its claim, its starter).
const BATCH: i64 = 100;

/// How long a claim holds without being renewed: an instance that stopped gives its jobs up
/// after this.
const CLAIM_SECONDS: i64 = 30;

/// Users changed at once in a real run on PostgreSQL: each its own transaction, run side by side.
/// SQLite has one writer, and a second waiting for it sleeps: there they go one after another.
const IN_FLIGHT: usize = 4;

const JOB_COLUMNS: &str = "uuid, action, dry_run, actor_uuid, state, total, done, would, \
    skipped, refused, error, created, finished";

#[derive(sqlx::FromRow)]
struct JobRow {
    uuid: Uuid,
    action: String,
    dry_run: bool,
    actor_uuid: Uuid,
    state: String,
    total: i64,
    done: i64,
    would: i64,
    skipped: i64,
    refused: i64,
    error: Option<String>,
    created: chrono::DateTime<chrono::Utc>,
    finished: Option<chrono::DateTime<chrono::Utc>>,
}

impl TryFrom<JobRow> for Job {
    type Error = CoreError;

    fn try_from(row: JobRow) -> Result<Self, CoreError> {
        Ok(Job {
            uuid: row.uuid,
            action: serde_json::from_str(&row.action).map_err(CoreError::internal)?,
            dry_run: row.dry_run,
            state: row.state.parse().map_err(CoreError::internal)?,
            total: row.total,
            processed: row.done + row.would + row.skipped + row.refused,
            done: row.done,
            would: row.would,
            skipped: row.skipped,
            refused: row.refused,
            error: row.error,
            actor_uuid: row.actor_uuid,
            created: row.created,
            finished: row.finished,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    position: i64,
    user_uuid: Uuid,
    username: String,
    outcome: Option<String>,
    reason: Option<String>,
}

impl From<ItemRow> for JobItem {
    fn from(row: ItemRow) -> Self {
        JobItem {
            position: row.position,
            user_uuid: row.user_uuid,
            username: row.username,
            outcome: row.outcome.and_then(|o| o.parse().ok()),
            reason: row.reason,
        }
    }
}

/// A claimed job, as its runner needs it.
#[derive(sqlx::FromRow)]
struct Claimed {
    uuid: Uuid,
    action: String,
    dry_run: bool,
    principal: String,
}

/// Whose turn a new job has: a selection, or the users of a dry run.
enum JobUsers {
    Selected(BulkSelection),
    Copied(Uuid),
}

/// What one user's turn came to.
struct Verdict {
    outcome: Outcome,
    reason: Option<String>,
}

impl Verdict {
    fn of(outcome: Outcome) -> Self {
        Self {
            outcome,
            reason: None,
        }
    }

    fn skipped(reason: &str) -> Self {
        Self {
            outcome: Outcome::Skipped,
            reason: Some(reason.to_owned()),
        }
    }

    fn refused(error: &CoreError) -> Self {
        Self {
            outcome: Outcome::Refused,
            reason: Some(error.messages().join("; ")),
        }
    }
}

/// Judges `action` on `user` by the rules of the single change, without the database: `Ok(None)`
/// when it would be made, `Ok(Some(why))` when there is nothing to do, `Err` when refused.
fn judge(
    principal: &Principal,
    action: BulkAction,
    user: &User,
) -> Result<Option<&'static str>, CoreError> {
    let own = user.uuid == principal.user.uuid;
    match action {
        BulkAction::Suspend => {
            authorize_update(principal, user, &patch_of(action))?;
            Ok(user.suspended.then_some("already suspended"))
        }
        BulkAction::Unsuspend => {
            authorize_update(principal, user, &patch_of(action))?;
            Ok((!user.suspended).then_some("not suspended"))
        }
        BulkAction::AssignRole { role } => {
            authorize_update(principal, user, &patch_of(action))?;
            Ok((user.role.as_ref().map(|r| r.uuid) == Some(role)).then_some("holds it already"))
        }
        BulkAction::RemoveRole => {
            authorize_update(principal, user, &patch_of(action))?;
            Ok(user.role.is_none().then_some("holds no role"))
        }
        BulkAction::SendPasswordReset => {
            require_authority_over(principal, user)?;
            Ok(None)
        }
        BulkAction::DisableTwoFactor => {
            require_authority_over(principal, user)?;
            if own {
                return Err(CoreError::Refused(Refusal::Guardrail(
                    Guardrail::OwnCredentials,
                )));
            }
            Ok((!user.totp_enabled).then_some("two-factor is off"))
        }
        BulkAction::Delete => {
            if own {
                return Err(CoreError::Refused(Refusal::DeleteSelf));
            }
            require_authority_over(principal, user)?;
            Ok(None)
        }
    }
}

/// The single change an action makes to a user's fields.
fn patch_of(action: BulkAction) -> UserPatch {
    match action {
        BulkAction::Suspend => UserPatch {
            suspended: Some(true),
            ..UserPatch::default()
        },
        BulkAction::Unsuspend => UserPatch {
            suspended: Some(false),
            ..UserPatch::default()
        },
        BulkAction::AssignRole { role } => UserPatch {
            role_uuid: Some(Some(role)),
            ..UserPatch::default()
        },
        BulkAction::RemoveRole => UserPatch {
            role_uuid: Some(None),
            ..UserPatch::default()
        },
        _ => UserPatch::default(),
    }
}

/// The user when `action` would change them, else the verdict that it will not: gone, nothing
/// to do, or refused by the single change's rules.
fn judged(
    principal: &Principal,
    action: BulkAction,
    user: Option<User>,
) -> Result<Result<User, Verdict>, CoreError> {
    let Some(user) = user else {
        return Ok(Err(Verdict::skipped("no longer exists")));
    };
    Ok(match judge(principal, action, &user) {
        Ok(None) => Ok(user),
        Ok(Some(why)) => Err(Verdict::skipped(why)),
        Err(refused @ CoreError::Refused(_)) => Err(Verdict::refused(&refused)),
        Err(other) => return Err(other),
    })
}

/// Whether the action takes an active global admin away (the last one may not go).
fn removes_an_admin(action: BulkAction, user: &User) -> bool {
    matches!(action, BulkAction::Suspend | BulkAction::Delete) && user.admin && !user.suspended
}

impl Core {
    /// Starts a bulk action: the action's permissions are checked at once, each user's authority
    /// when the job reaches them. Not while acting as someone else: a job outlives the request.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn start_bulk(&self, principal: &Principal, bulk: NewBulk) -> Result<Job, CoreError> {
        self.start_job(
            principal,
            bulk.action,
            bulk.dry_run,
            &JobUsers::Selected(bulk.selection),
        )
        .await
    }

    /// Records a job and its users (in the listing's order, or a dry run's).
    async fn start_job(
        &self,
        principal: &Principal,
        action: BulkAction,
        dry_run: bool,
        users: &JobUsers,
    ) -> Result<Job, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(action.permission())?;
        if principal.impersonator.is_some() {
            return Err(CoreError::Refused(Refusal::Guardrail(
                Guardrail::BulkWhileActing,
            )));
        }
        if let BulkAction::AssignRole { role } = action {
            self.authorize_role_grant(principal, role).await?;
        }
        let backend = self.backend();
        let uuid = Uuid::new_v4();
        let encoded = serde_json::to_string(&action).map_err(CoreError::internal)?;
        let kept = serde_json::to_string(&Principal {
            idempotency: None,
            ..principal.clone()
        })
        .map_err(CoreError::internal)?;
        let (items, search) = match users {
            JobUsers::Copied(dry) => (
                format!(
                    "INSERT INTO job_items (job_uuid, position, user_uuid, username) \
                     SELECT $1, position, user_uuid, username FROM job_items WHERE job_uuid = {}",
                    dialect::uuid_literal(backend, *dry)
                ),
                None,
            ),
            JobUsers::Selected(selection) => {
                let (filter, bound) = match selection {
                    BulkSelection::Users(users) => {
                        let listed = users
                            .iter()
                            .map(|user| dialect::uuid_literal(backend, *user))
                            .collect::<Vec<_>>()
                            .join(", ");
                        (format!("WHERE u.uuid IN ({listed})"), None)
                    }
                    BulkSelection::Matching(query) => {
                        let selection = Selection::of(backend, query);
                        (selection.filter, selection.bound)
                    }
                };
                // The search binds `$1`; the job's uuid follows it.
                let job_at = if bound.is_some() { 2 } else { 1 };
                (
                    format!(
                        "INSERT INTO job_items (job_uuid, position, user_uuid, username) \
                         SELECT ${job_at}, row_number() OVER (ORDER BY u.created, u.uuid), \
                         u.uuid, u.username FROM users u {filter}"
                    ),
                    bound,
                )
            }
        };
        let mut tx = self.write(principal).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO jobs (uuid, action, dry_run, actor_uuid, principal, state, total, \
                 created) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6)",
            )
            .bind(uuid)
            .bind(&encoded)
            .bind(dry_run)
            .bind(principal.user.uuid)
            .bind(&kept)
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let total = with_tx!(&mut tx, conn => {
            let mut q = sqlx::query(&items);
            if let Some(search) = &search {
                q = q.bind(search);
            }
            q.bind(uuid).execute(conn).await.map(|done| done.rows_affected())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE jobs SET total = $2 WHERE uuid = $1")
                .bind(uuid)
                .bind(total as i64)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        tx.commit().await?;
        self.load_job(uuid).await
    }

    /// Runs for real what a finished dry run judged: a new job, by the caller, for the same users
    /// in the same order, each judged again when reached.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn confirm_job(&self, principal: &Principal, uuid: Uuid) -> Result<Job, CoreError> {
        let dry = self.get_job(principal, uuid).await?;
        if !dry.dry_run || dry.state != JobState::Finished {
            return Err(CoreError::invalid_field(
                "job",
                "only a finished dry run is confirmed",
            ));
        }
        self.start_job(principal, dry.action, false, &JobUsers::Copied(uuid))
            .await
    }

    /// A job, for whoever started it or a global admin (with `users.read`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_job(&self, principal: &Principal, uuid: Uuid) -> Result<Job, CoreError> {
        principal.require(Permission::UsersRead)?;
        let job = self.load_job(uuid).await?;
        if job.actor_uuid != principal.user.uuid && !principal.is_global_admin() {
            return Err(CoreError::Refused(Refusal::NotFound(Entity::Job)));
        }
        Ok(job)
    }

    /// A page of a job's users in its order, only those with `outcome` when given.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn job_items(
        &self,
        principal: &Principal,
        uuid: Uuid,
        query: ListQuery,
        outcome: Option<Outcome>,
    ) -> Result<Page<JobItem>, CoreError> {
        let job = self.get_job(principal, uuid).await?;
        let (total, filter) = match outcome {
            None => (job.total, String::new()),
            Some(outcome) => (
                match outcome {
                    Outcome::Done => job.done,
                    Outcome::Would => job.would,
                    Outcome::Skipped => job.skipped,
                    Outcome::Refused => job.refused,
                },
                format!(" AND outcome = '{}'", outcome.as_str()),
            ),
        };
        let sql = format!(
            "SELECT position, user_uuid, username, outcome, reason FROM job_items \
             WHERE job_uuid = $1{filter} ORDER BY position LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ItemRow>(&sql).bind(uuid).fetch_all(pool).await
        })?;
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(JobItem::from).collect(),
        })
    }

    /// Every user of a job with what happened to them, as CSV (streamed).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn job_report(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<ExportStream, CoreError> {
        self.get_job(principal, uuid).await?;
        let sql = format!(
            "SELECT position, user_uuid, username, outcome, reason FROM job_items \
             WHERE job_uuid = {} ORDER BY position",
            dialect::uuid_literal(self.backend(), uuid)
        );
        Ok(stream_csv::<ItemRow, _>(
            self.db.clone(),
            sql,
            None,
            vec!["user_uuid", "username", "outcome", "reason"],
            |row| {
                vec![
                    row.user_uuid.to_string(),
                    spreadsheet_safe(row.username),
                    row.outcome.unwrap_or_else(|| "pending".to_owned()),
                    row.reason.unwrap_or_default(),
                ]
            },
        ))
    }

    /// Stops a job that has not ended: users not reached yet stay without an outcome.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn cancel_job(&self, principal: &Principal, uuid: Uuid) -> Result<Job, CoreError> {
        let job = self.get_job(principal, uuid).await?;
        if job.state.is_over() {
            return Ok(job);
        }
        let mut tx = self.write(principal).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE jobs SET state = 'cancelled', finished = $2, claim = NULL \
                 WHERE uuid = $1 AND state IN ('queued', 'running')",
            )
            .bind(uuid)
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        tx.commit().await?;
        self.load_job(uuid).await
    }

    async fn load_job(&self, uuid: Uuid) -> Result<Job, CoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, JobRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Job)))?;
        Job::try_from(row)
    }

    /// Claims the oldest job nobody holds and works through it while the claim holds. Answers
    /// how many users it judged or changed.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn run_due_jobs(&self) -> Result<u64, CoreError> {
        let claim = Uuid::new_v4();
        let at = now();
        let claimed = with_db!(&self.db, pool => {
            sqlx::query_as::<_, Claimed>(
                "UPDATE jobs SET claim = $1, claimed_until = $2, state = 'running' \
                 WHERE uuid = (SELECT uuid FROM jobs WHERE state IN ('queued', 'running') \
                     AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY created LIMIT 1) \
                 AND state IN ('queued', 'running') \
                 AND (claimed_until IS NULL OR claimed_until < $3) \
                 RETURNING uuid, action, dry_run, principal",
            )
            .bind(claim)
            .bind(at + Duration::seconds(CLAIM_SECONDS))
            .bind(at)
            .fetch_optional(pool)
            .await
        })?;
        let Some(job) = claimed else {
            return Ok(0);
        };
        let action: BulkAction = serde_json::from_str(&job.action).map_err(CoreError::internal)?;
        let kept: Principal = serde_json::from_str(&job.principal).map_err(CoreError::internal)?;
        let mut admins_left = if job.dry_run {
            self.admins_left_after(job.uuid).await?
        } else {
            0
        };
        let mut processed = 0;
        loop {
            let principal = match self.principal_again(&kept).await {
                Ok(principal) => principal,
                Err(CoreError::Refused(_)) => {
                    self.end_job(job.uuid, claim, JobState::Failed, Some(
                        "whoever started it can no longer act: their session or key ended, or they were suspended or deleted",
                    ))
                    .await?;
                    return Ok(processed);
                }
                Err(other) => return Err(other),
            };
            let items = self.next_items(job.uuid).await?;
            if items.is_empty() {
                self.end_job(job.uuid, claim, JobState::Finished, None)
                    .await?;
                return Ok(processed);
            }
            let uuids: Vec<Uuid> = items.iter().map(|(_, user)| *user).collect();
            let mut users = self.users_of(&uuids).await?;
            let verdicts: Vec<Verdict> = if job.dry_run {
                let mut verdicts = Vec::with_capacity(items.len());
                for uuid in &uuids {
                    let user = users.remove(uuid);
                    verdicts.push(
                        self.judge_dry(&principal, action, user, &mut admins_left)
                            .await?,
                    );
                }
                verdicts
            } else {
                let turns: Vec<(Uuid, Option<User>)> = uuids
                    .iter()
                    .map(|uuid| (*uuid, users.remove(uuid)))
                    .collect();
                futures_util::stream::iter(turns)
                    .map(|(uuid, user)| self.apply(&principal, action, uuid, user))
                    .buffered(match self.backend() {
                        Backend::Postgres => IN_FLIGHT,
                        Backend::Sqlite => 1,
                    })
                    .collect::<Vec<_>>()
                    .await
                    .into_iter()
                    .collect::<Result<_, _>>()?
            };
            processed += verdicts.len() as u64;
            if !self.record(job.uuid, claim, &items, &verdicts).await? {
                // Cancelled, or another instance holds the job now.
                return Ok(processed);
            }
        }
    }

    /// The next users of a job without an outcome: (position, uuid).
    async fn next_items(&self, job: Uuid) -> Result<Vec<(i64, Uuid)>, CoreError> {
        let sql = format!(
            "SELECT position, user_uuid FROM job_items WHERE job_uuid = $1 AND outcome IS NULL \
             ORDER BY position LIMIT {BATCH}"
        );
        Ok(with_db!(&self.db, pool => {
            sqlx::query_as::<_, (i64, Uuid)>(&sql).bind(job).fetch_all(pool).await
        })?)
    }

    /// How many active global admins a dry run may still take away: those there are, less one
    /// (the last stays), less those it already judged it would take.
    async fn admins_left_after(&self, job: Uuid) -> Result<i64, CoreError> {
        let (active, taken) = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT (SELECT count(*) FROM users WHERE admin = TRUE AND suspended = FALSE), \
                 (SELECT count(*) FROM job_items i JOIN users u ON u.uuid = i.user_uuid \
                  WHERE i.job_uuid = $1 AND i.outcome = 'would' AND u.admin = TRUE \
                  AND u.suspended = FALSE)",
            )
            .bind(job)
            .fetch_one(pool)
            .await
        })?;
        Ok(active - 1 - taken)
    }

    /// A batch's users as they stand, by uuid (one query for the batch).
    async fn users_of(&self, uuids: &[Uuid]) -> Result<HashMap<Uuid, User>, CoreError> {
        let backend = self.backend();
        let listed = uuids
            .iter()
            .map(|uuid| dialect::uuid_literal(backend, *uuid))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.uuid IN ({listed})");
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(User::from)
            .map(|user| (user.uuid, user))
            .collect())
    }

    /// A dry run's verdict on one user: the rules of the single change, the last admin counted
    /// across the whole job, and (for a delete) the servers the user owns.
    async fn judge_dry(
        &self,
        principal: &Principal,
        action: BulkAction,
        user: Option<User>,
        admins_left: &mut i64,
    ) -> Result<Verdict, CoreError> {
        let user = match judged(principal, action, user)? {
            Ok(user) => user,
            Err(verdict) => return Ok(verdict),
        };
        if action == BulkAction::Delete && self.owns_servers(user.uuid).await? {
            return Ok(Verdict::refused(&CoreError::Refused(
                Refusal::UserHasServers,
            )));
        }
        if removes_an_admin(action, &user) {
            if *admins_left <= 0 {
                return Ok(Verdict::refused(&CoreError::Refused(
                    Refusal::LastGlobalAdmin,
                )));
            }
            *admins_left -= 1;
        }
        Ok(Verdict::of(Outcome::Would))
    }

    async fn owns_servers(&self, uuid: Uuid) -> Result<bool, CoreError> {
        let servers = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM servers WHERE owner_uuid = $1")
                .bind(uuid)
                .fetch_one(pool)
                .await
        })?;
        Ok(servers > 0)
    }

    /// A real run's turn for one user: nothing when there is nothing to do, else the single
    /// change, which checks every rule again on the locked row.
    async fn apply(
        &self,
        principal: &Principal,
        action: BulkAction,
        uuid: Uuid,
        user: Option<User>,
    ) -> Result<Verdict, CoreError> {
        if let Err(verdict) = judged(principal, action, user)? {
            return Ok(verdict);
        }
        let done = match action {
            BulkAction::Suspend
            | BulkAction::Unsuspend
            | BulkAction::AssignRole { .. }
            | BulkAction::RemoveRole => self
                .update_user(principal, uuid, patch_of(action), &Precondition::None)
                .await
                .map(|_| ()),
            BulkAction::SendPasswordReset => self.send_password_reset(principal, uuid).await,
            BulkAction::DisableTwoFactor => self.reset_two_factor(principal, uuid).await,
            BulkAction::Delete => self.delete_user(principal, uuid, &Precondition::None).await,
        };
        match done {
            Ok(()) => Ok(Verdict::of(Outcome::Done)),
            Err(CoreError::Refused(Refusal::NotFound(Entity::User))) => {
                Ok(Verdict::skipped("no longer exists"))
            }
            Err(CoreError::Refused(refusal)) => Ok(Verdict::refused(&CoreError::Refused(refusal))),
            Err(other) => Err(other),
        }
    }

    /// Records a batch's verdicts and renews the claim, in one transaction; `false` when the
    /// claim is no longer this runner's (then nothing is recorded).
    async fn record(
        &self,
        job: Uuid,
        claim: Uuid,
        items: &[(i64, Uuid)],
        verdicts: &[Verdict],
    ) -> Result<bool, CoreError> {
        let count =
            |outcome: Outcome| verdicts.iter().filter(|v| v.outcome == outcome).count() as i64;
        let mut tx = self.upkeep().await?;
        let held = with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE jobs SET done = done + $3, would = would + $4, skipped = skipped + $5, \
                 refused = refused + $6, claimed_until = $7 \
                 WHERE uuid = $1 AND claim = $2 AND state = 'running'",
            )
            .bind(job)
            .bind(claim)
            .bind(count(Outcome::Done))
            .bind(count(Outcome::Would))
            .bind(count(Outcome::Skipped))
            .bind(count(Outcome::Refused))
            .bind(now() + Duration::seconds(CLAIM_SECONDS))
            .execute(conn)
            .await
            .map(|done| done.rows_affected() == 1)
        })?;
        if !held {
            return Ok(false);
        }
        for ((position, _), verdict) in items.iter().zip(verdicts) {
            with_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE job_items SET outcome = $3, reason = $4 \
                     WHERE job_uuid = $1 AND position = $2 AND outcome IS NULL",
                )
                .bind(job)
                .bind(position)
                .bind(verdict.outcome.as_str())
                .bind(verdict.reason.as_deref())
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn end_job(
        &self,
        job: Uuid,
        claim: Uuid,
        state: JobState,
        error: Option<&str>,
    ) -> Result<(), CoreError> {
        let mut tx = self.upkeep().await?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE jobs SET state = $3, error = $4, finished = $5, claim = NULL, \
                 claimed_until = NULL WHERE uuid = $1 AND claim = $2 AND state = 'running'",
            )
            .bind(job)
            .bind(claim)
            .bind(state.as_str())
            .bind(error)
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        tx.commit().await?;
        Ok(())
    }
}
