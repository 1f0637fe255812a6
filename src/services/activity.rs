//! The activity log. Every write records its row through [`record`], inside the transaction of
//! the change itself: the row and the change commit or roll back together. Reading is one
//! service for both doors; the purge keeps the log within its retention.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Core, now};
use crate::domain::activity::{
    Activity, ActivityActor, ActivityCredential, ActivityQuery, ActivityTarget, ActivityUser, Event,
};
use crate::domain::page::Page;
use crate::domain::role::Role;
use crate::domain::server::Server;
use crate::domain::user::User;
use crate::error::CoreError;
use crate::permission::Permission;
use crate::principal::{Credential, Principal};
use crate::store::dialect::like_prefix;
use crate::store::{Backend, Tx, with_db, with_tx};

/// Who acts: the user and credential of a request, a user proving who they are (a sign-in), an
/// unknown client (a failed sign-in), or the operator at the command line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Actor {
    user: Option<(Uuid, String)>,
    impersonator: Option<(Uuid, String)>,
    credential: Option<(&'static str, Option<Uuid>, Option<String>)>,
    ip: Option<String>,
}

impl Actor {
    pub(crate) fn of(principal: &Principal) -> Self {
        let credential = match &principal.credential {
            Credential::Operator => return Self::operator(),
            Credential::Session { session_uuid } => ("session", Some(*session_uuid), None),
            Credential::ApiKey { key_uuid, name, .. } => {
                ("api_key", Some(*key_uuid), Some(name.clone()))
            }
        };
        Self {
            user: Some((principal.user.uuid, principal.user.username.clone())),
            impersonator: principal
                .impersonator
                .as_ref()
                .map(|impersonator| (impersonator.uuid, impersonator.username.clone())),
            credential: Some(credential),
            ip: principal.ip.clone(),
        }
    }

    /// A user acting by what they just proved (a password, a code, a reset link), before any
    /// session exists.
    pub(crate) fn user(user: &User, ip: Option<&str>) -> Self {
        Self {
            user: Some((user.uuid, user.username.clone())),
            impersonator: None,
            credential: None,
            ip: ip.map(str::to_owned),
        }
    }

    /// The same user, acting through the session they just opened or are ending.
    pub(crate) fn with_session(self, session: Uuid) -> Self {
        Self {
            credential: Some(("session", Some(session), None)),
            ..self
        }
    }

    pub(crate) fn anonymous(ip: Option<&str>) -> Self {
        Self {
            ip: ip.map(str::to_owned),
            ..Self::default()
        }
    }

    fn operator() -> Self {
        Self {
            credential: Some(("operator", None, None)),
            ..Self::default()
        }
    }
}

/// What a change was made to.
pub(crate) struct Target {
    kind: &'static str,
    uuid: Uuid,
    label: String,
}

impl Target {
    pub(crate) fn user(user: &User) -> Self {
        Self {
            kind: "user",
            uuid: user.uuid,
            label: user.username.clone(),
        }
    }

    pub(crate) fn role(role: &Role) -> Self {
        Self {
            kind: "role",
            uuid: role.uuid,
            label: role.name.clone(),
        }
    }

    pub(crate) fn server(server: &Server) -> Self {
        Self {
            kind: "server",
            uuid: server.uuid,
            label: server.name.clone(),
        }
    }

    pub(crate) fn oauth_provider(provider: &crate::domain::oauth::OAuthProvider) -> Self {
        Self {
            kind: "oauth_provider",
            uuid: provider.uuid,
            label: provider.name.clone(),
        }
    }

    pub(crate) fn webhook(uuid: Uuid, url: &str) -> Self {
        Self {
            kind: "webhook",
            uuid,
            label: url.to_owned(),
        }
    }

    pub(crate) fn api_key(uuid: Uuid, name: &str) -> Self {
        Self {
            kind: "api_key",
            uuid,
            label: name.to_owned(),
        }
    }

    pub(crate) fn session(uuid: Uuid, label: &str) -> Self {
        Self {
            kind: "session",
            uuid,
            label: label.to_owned(),
        }
    }
}

/// The fields of a change. Built from snapshots, which never hold a secret; a new password
/// is added as `{"changed": true}`.
#[derive(Default)]
pub(crate) struct Changes(Map<String, Value>);

impl Changes {
    pub(crate) fn none() -> Self {
        Self::default()
    }

    fn each(snapshot: Value, side: &str) -> Self {
        let Value::Object(fields) = snapshot else {
            return Self::none();
        };
        Self(
            fields
                .into_iter()
                .map(|(field, value)| (field, json!({ side: value })))
                .collect(),
        )
    }

    /// A new record: every field, as `after`.
    pub(crate) fn created(snapshot: Value) -> Self {
        Self::each(snapshot, "after")
    }

    /// A removed record: every field, as `before`.
    pub(crate) fn deleted(snapshot: Value) -> Self {
        Self::each(snapshot, "before")
    }

    /// The fields whose value differs between two snapshots of one record.
    pub(crate) fn between(before: Value, after: Value) -> Self {
        let (Value::Object(before), Value::Object(mut after)) = (before, after) else {
            return Self::none();
        };
        let mut changes = Map::new();
        for (field, old) in before {
            let new = after.remove(&field).unwrap_or(Value::Null);
            if old != new {
                changes.insert(field, json!({ "before": old, "after": new }));
            }
        }
        for (field, new) in after {
            changes.insert(field, json!({ "before": Value::Null, "after": new }));
        }
        Self(changes)
    }

    /// How something happened, kept as given (`{"using": "oauth2", ...}`), as Calagopus keeps
    /// its sign-ins.
    pub(crate) fn details(details: Value) -> Self {
        match details {
            Value::Object(fields) => Self(fields),
            _ => Self::none(),
        }
    }

    /// One more field kept as given.
    pub(crate) fn with_detail(mut self, field: &str, value: Value) -> Self {
        self.0.insert(field.to_owned(), value);
        self
    }

    /// A secret that was set, shown only as `{"changed": true}`.
    pub(crate) fn secret_changed(mut self, field: &str) -> Self {
        self.0.insert(field.to_owned(), json!({ "changed": true }));
        self
    }

    pub(crate) fn password_changed(mut self) -> Self {
        self.0
            .insert("password".to_owned(), json!({ "changed": true }));
        self
    }
}

/// A user as the log keeps them: every field a person can change, none of the secrets.
pub(crate) fn user_snapshot(user: &User) -> Value {
    json!({
        "username": user.username,
        "email": user.email,
        "name_first": user.name_first,
        "name_last": user.name_last,
        "external_id": user.external_id,
        "admin": user.admin,
        "language": user.language,
        "role": user.role.as_ref().map(|role| json!({ "uuid": role.uuid, "name": role.name })),
        "suspended": user.suspended,
        "frozen": user.frozen,
        "totp_enabled": user.totp_enabled,
        "has_password": user.has_password,
        "toast_position": user.toast_position,
        "start_on_grouped_servers": user.start_on_grouped_servers,
    })
}

pub(crate) fn role_snapshot(role: &Role) -> Value {
    json!({
        "name": role.name,
        "description": role.description,
        "admin_permissions": role.admin_permissions,
        "require_two_factor": role.require_two_factor,
    })
}

pub(crate) fn server_snapshot(server: &Server) -> Value {
    json!({
        "name": server.name,
        "owner": { "uuid": server.owner_uuid, "username": server.owner_username },
    })
}

/// A row of the log, built before it is written: on its own ([`Core::record`]) or in the same
/// statement as the change it records ([`alongside`]).
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) created: DateTime<Utc>,
    pub(crate) event: &'static str,
    pub(crate) actor_uuid: Option<Uuid>,
    pub(crate) actor_username: Option<String>,
    pub(crate) impersonator_uuid: Option<Uuid>,
    pub(crate) impersonator_username: Option<String>,
    pub(crate) credential_kind: Option<&'static str>,
    pub(crate) credential_uuid: Option<Uuid>,
    pub(crate) credential_name: Option<String>,
    pub(crate) ip: Option<String>,
    pub(crate) target_kind: Option<&'static str>,
    pub(crate) target_uuid: Option<Uuid>,
    pub(crate) target_label: Option<String>,
    pub(crate) changes: String,
}

impl Entry {
    pub(crate) fn new(
        actor: &Actor,
        event: Event,
        target: Option<Target>,
        changes: Changes,
    ) -> Self {
        let (actor_uuid, actor_username) = actor.user.clone().unzip();
        let (impersonator_uuid, impersonator_username) = actor.impersonator.clone().unzip();
        let (credential_kind, credential_uuid, credential_name) = match &actor.credential {
            Some((kind, uuid, name)) => (Some(*kind), *uuid, name.clone()),
            None => (None, None, None),
        };
        let (target_kind, target_uuid, target_label) = match target {
            Some(target) => (Some(target.kind), Some(target.uuid), Some(target.label)),
            None => (None, None, None),
        };
        Self {
            created: now(),
            event: event.as_str(),
            actor_uuid,
            actor_username,
            impersonator_uuid,
            impersonator_username,
            credential_kind,
            credential_uuid,
            credential_name,
            ip: actor.ip.clone(),
            target_kind,
            target_uuid,
            target_label,
            changes: Value::Object(changes.0).to_string(),
        }
    }
}

/// Binds an [`Entry`]'s fourteen values, in the order of [`insert_sql`], onto a query.
macro_rules! bind_entry {
    ($query:expr, $entry:expr) => {{
        let entry = $entry;
        $query
            .bind(entry.created)
            .bind(entry.event)
            .bind(entry.actor_uuid)
            .bind(entry.actor_username.as_deref())
            .bind(entry.credential_kind)
            .bind(entry.credential_uuid)
            .bind(entry.credential_name.as_deref())
            .bind(entry.ip.as_deref())
            .bind(entry.target_kind)
            .bind(entry.target_uuid)
            .bind(entry.target_label.as_deref())
            .bind(entry.changes.as_str())
            .bind(entry.impersonator_uuid)
            .bind(entry.impersonator_username.as_deref())
    }};
}
pub(crate) use bind_entry;

/// How many values [`bind_entry`] binds.
pub(crate) const ENTRY_VALUES: usize = 14;

/// The insert of one row, its values bound from placeholder `$first` on.
fn insert_sql(first: usize) -> String {
    let values: Vec<String> = (first..first + ENTRY_VALUES)
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "INSERT INTO activity (created, event, actor_uuid, actor_username, credential_kind, \
         credential_uuid, credential_name, ip, target_kind, target_uuid, target_label, changes, \
         impersonator_uuid, impersonator_username) VALUES ({})",
        values.join(", ")
    )
}

/// Whether any webhook endpoint is on: asked in the same round trip as a row is written, so
/// that a write no endpoint hears of costs nothing more (see [`Write`](super::write::Write)).
const ENDPOINTS_ON: &str = "EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = TRUE)";

/// `statement`, an `UPDATE` that binds `$1..=$bound` and returns no rows, made to also write an
/// entry bound after them and answer [`ENDPOINTS_ON`] (one row, a boolean, when the update
/// found its row): the change and its row go to the database in one round trip. PostgreSQL runs
/// the insert as a data-modifying `WITH`; SQLite runs the statements in turn.
pub(crate) fn alongside(backend: Backend, statement: &str, bound: usize) -> String {
    let insert = insert_sql(bound + 1);
    match backend {
        Backend::Postgres => {
            format!("WITH logged AS ({insert}) {statement} RETURNING {ENDPOINTS_ON}")
        }
        Backend::Sqlite => format!("{statement}; {insert}; SELECT {ENDPOINTS_ON}"),
    }
}

impl Entry {
    /// Writes this row inside the change's transaction; answers whether any webhook endpoint
    /// is on.
    pub(crate) async fn insert(&self, tx: &mut Tx) -> Result<bool, sqlx::Error> {
        let insert = insert_sql(1);
        let sql = match tx.backend() {
            Backend::Postgres => format!("WITH logged AS ({insert}) SELECT {ENDPOINTS_ON}"),
            Backend::Sqlite => format!("{insert}; SELECT {ENDPOINTS_ON}"),
        };
        with_tx!(tx, conn => {
            bind_entry!(sqlx::query_scalar::<_, bool>(&sql), self).fetch_one(conn).await
        })
    }
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    created: DateTime<Utc>,
    event: String,
    actor_uuid: Option<Uuid>,
    actor_username: Option<String>,
    credential_kind: Option<String>,
    credential_uuid: Option<Uuid>,
    credential_name: Option<String>,
    ip: Option<String>,
    target_kind: Option<String>,
    target_uuid: Option<Uuid>,
    target_label: Option<String>,
    changes: String,
    impersonator_uuid: Option<Uuid>,
    impersonator_username: Option<String>,
    user_username: Option<String>,
    user_totp_enabled: Option<bool>,
    user_created: Option<DateTime<Utc>>,
    impersonator_now: Option<String>,
    impersonator_totp_enabled: Option<bool>,
    impersonator_created: Option<DateTime<Utc>>,
}

/// A user as they are now, if the join found them.
fn activity_user(
    uuid: Option<Uuid>,
    username: Option<String>,
    totp_enabled: Option<bool>,
    created: Option<DateTime<Utc>>,
) -> Option<ActivityUser> {
    Some(ActivityUser {
        uuid: uuid?,
        username: username?,
        avatar: None,
        totp_enabled: totp_enabled?,
        created: created?,
    })
}

impl From<ActivityRow> for Activity {
    fn from(row: ActivityRow) -> Self {
        let data = match serde_json::from_str(&row.changes) {
            Ok(Value::Object(changes)) => changes,
            _ => Map::new(),
        };
        Activity {
            user: activity_user(
                row.actor_uuid,
                row.user_username,
                row.user_totp_enabled,
                row.user_created,
            ),
            impersonator: activity_user(
                row.impersonator_uuid,
                row.impersonator_now,
                row.impersonator_totp_enabled,
                row.impersonator_created,
            ),
            event: row.event,
            ip: row.ip,
            data,
            is_api: row.credential_kind.as_deref() == Some("api_key"),
            created: row.created,
            id: row.id,
            actor: row.actor_uuid.map(|uuid| ActivityActor {
                uuid,
                username: row.actor_username.unwrap_or_default(),
            }),
            impersonated_by: row.impersonator_uuid.map(|uuid| ActivityActor {
                uuid,
                username: row.impersonator_username.unwrap_or_default(),
            }),
            credential: row.credential_kind.map(|kind| ActivityCredential {
                kind,
                uuid: row.credential_uuid,
                name: row.credential_name,
            }),
            target: match (row.target_kind, row.target_uuid) {
                (Some(kind), Some(uuid)) => Some(ActivityTarget {
                    kind,
                    uuid,
                    label: row.target_label.unwrap_or_default(),
                }),
                _ => None,
            },
        }
    }
}

/// A page of rows (`{page}`, a select of whole `activity` rows), each with its actor and
/// impersonator as they are now.
fn activity_page_sql(page: &str) -> String {
    format!(
        "SELECT a.id, a.created, a.event, a.actor_uuid, a.actor_username, a.credential_kind, \
         a.credential_uuid, a.credential_name, a.ip, a.target_kind, a.target_uuid, \
         a.target_label, a.changes, a.impersonator_uuid, a.impersonator_username, \
         u.username AS user_username, u.totp_enabled AS user_totp_enabled, \
         u.created AS user_created, i.username AS impersonator_now, \
         i.totp_enabled AS impersonator_totp_enabled, i.created AS impersonator_created \
         FROM ({page}) a \
         LEFT JOIN users u ON u.uuid = a.actor_uuid \
         LEFT JOIN users i ON i.uuid = a.impersonator_uuid \
         ORDER BY a.id DESC"
    )
}

/// Rows removed per statement by the retention purge: short transactions that never hold the
/// write lock for long.
const PURGE_BATCH: i64 = 1000;

/// Whose rows a listing keeps: what a user did or what was done to them, or only the latter.
#[derive(Clone, Copy)]
enum About {
    ActorOrTarget(Uuid),
    Target(Uuid),
}

/// A value bound to a listing's filter, in placeholder order.
enum Bound {
    Uuid(Uuid),
    Text(&'static str),
    Owned(String),
    Time(DateTime<Utc>),
}

impl Core {
    /// The whole log, newest first (`activity.read`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_activity(
        &self,
        principal: &Principal,
        query: ActivityQuery,
    ) -> Result<Page<Activity>, CoreError> {
        principal.require(Permission::ActivityRead)?;
        self.page_activity(None, query).await
    }

    /// What a user did and what was done to them, newest first (`users.activity`, with
    /// authority over the user; what they did only with `activity.read`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_user_activity(
        &self,
        principal: &Principal,
        user: Uuid,
        query: ActivityQuery,
    ) -> Result<Page<Activity>, CoreError> {
        let user = self
            .user_under_authority(principal, user, Permission::UsersActivity)
            .await?;
        if principal.can(Permission::ActivityRead) {
            return self
                .page_activity(Some(About::ActorOrTarget(user.uuid)), query)
                .await;
        }
        // Without the whole log, only what was done to the user: what they did reaches other
        // records (roles, keys) the caller may not read, and others' addresses and key names
        // are not theirs to see.
        let mut page = self
            .page_activity(Some(About::Target(user.uuid)), query)
            .await?;
        for row in &mut page.data {
            if row
                .actor
                .as_ref()
                .is_none_or(|actor| actor.uuid != user.uuid)
            {
                row.ip = None;
                if let Some(credential) = &mut row.credential {
                    credential.uuid = None;
                    credential.name = None;
                }
            }
        }
        Ok(page)
    }

    async fn page_activity(
        &self,
        about: Option<About>,
        query: ActivityQuery,
    ) -> Result<Page<Activity>, CoreError> {
        let mut conditions = Vec::new();
        let mut bound = Vec::new();
        if let Some(term) = &query.search {
            // Event names are few and known: the ones holding the term become an `IN` list on
            // the event index; usernames match by prefix on their own index.
            let mut arms = Vec::new();
            for event in Event::ALL
                .iter()
                .filter(|e| e.as_str().contains(term.as_str()))
            {
                bound.push(Bound::Text(event.as_str()));
                arms.push(format!("event = ${}", bound.len()));
            }
            bound.push(Bound::Owned(like_prefix(term)));
            arms.push(format!(
                "lower(actor_username) LIKE ${} ESCAPE '\\'",
                bound.len()
            ));
            conditions.push(format!("({})", arms.join(" OR ")));
        }
        let mut bind = |condition: &str, value: Bound| {
            bound.push(value);
            conditions.push(condition.replace('?', &format!("${}", bound.len())));
        };
        match about {
            Some(About::ActorOrTarget(user)) => bind(
                "(actor_uuid = ? OR target_uuid = ? OR impersonator_uuid = ?)",
                Bound::Uuid(user),
            ),
            Some(About::Target(user)) => bind("target_uuid = ?", Bound::Uuid(user)),
            None => {}
        }
        if let Some(event) = query.event {
            bind("event = ?", Bound::Text(event.as_str()));
        }
        if let Some(actor) = query.actor {
            bind("actor_uuid = ?", Bound::Uuid(actor));
        }
        if let Some(user) = query.user {
            bind("actor_uuid = ?", Bound::Uuid(user));
        }
        if let Some(target) = query.target {
            bind("target_uuid = ?", Bound::Uuid(target));
        }
        if let Some(since) = query.since {
            bind("created >= ?", Bound::Time(since));
        }
        if let Some(until) = query.until {
            bind("created <= ?", Bound::Time(until));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // Unfiltered, the total is the trigger-kept count, not a scan of every row.
        let count_sql = if conditions.is_empty() {
            "SELECT CAST(sum(total) AS BIGINT) FROM activity_count".to_owned()
        } else {
            format!("SELECT count(*) FROM activity {filter}")
        };
        let page_sql = activity_page_sql(&format!(
            "SELECT * FROM activity {filter} ORDER BY id DESC LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        ));
        macro_rules! bind_all {
            ($query:expr) => {{
                let mut q = $query;
                for value in &bound {
                    q = match value {
                        Bound::Uuid(uuid) => q.bind(*uuid),
                        Bound::Text(text) => q.bind(*text),
                        Bound::Owned(text) => q.bind(text.as_str()),
                        Bound::Time(time) => q.bind(*time),
                    };
                }
                q
            }};
        }
        let total = with_db!(&self.db, pool => {
            bind_all!(sqlx::query_scalar::<_, i64>(&count_sql)).fetch_one(pool).await
        })?;
        let rows = if query.offset() >= total as u64 {
            Vec::new()
        } else {
            with_db!(&self.db, pool => {
                bind_all!(sqlx::query_as::<_, ActivityRow>(&page_sql)).fetch_all(pool).await
            })?
        };
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(Activity::from).collect(),
        })
    }

    /// Deletes rows older than `before`, a batch per statement; the server runs it periodically.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn purge_activity(&self, before: DateTime<Utc>) -> Result<u64, CoreError> {
        let mut purged = 0;
        loop {
            let deleted = with_db!(&self.db, pool => {
                sqlx::query(
                    "DELETE FROM activity WHERE id IN \
                     (SELECT id FROM activity WHERE created < $1 ORDER BY id LIMIT $2)",
                )
                .bind(before)
                .bind(PURGE_BATCH)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })?;
            purged += deleted;
            if deleted < PURGE_BATCH as u64 {
                return Ok(purged);
            }
        }
    }
}
