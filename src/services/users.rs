use uuid::Uuid;

use super::account::{end_after_credential_change, tell_old_address};
use super::activity::{Actor, Changes, Target, alongside, bind_entry, user_snapshot};
use super::conditional;
use super::credentials::Narrowed;
use super::roles::role_in;
use super::search_grams::GramTally;
use super::sessions::end_sessions_except;
use super::{Core, exists, now, user_for_update};
use crate::domain::activity::Event;
use crate::domain::fields::{Email, Password, PersonName, Username};
use crate::domain::page::{ListQuery, Page};
use crate::domain::precondition::Precondition;
use crate::domain::role::Role;
use crate::domain::user::{NewUser, User, UserPatch};
use crate::error::{Conflict, CoreError, Entity, Guardrail};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Backend, Database, Tx, Violation, dialect, violation, with_db, with_tx};

/// The user as `patch` leaves them, `role` being the role they end with: what the update
/// writes and the log records.
fn patched(current: &User, patch: &UserPatch, role: Option<Role>) -> User {
    let text = |value: Option<&str>, fallback: &str| value.unwrap_or(fallback).to_owned();
    User {
        username: text(
            patch.username.as_ref().map(Username::as_str),
            &current.username,
        ),
        email: text(patch.email.as_ref().map(Email::as_str), &current.email),
        name_first: text(
            patch.name_first.as_ref().map(PersonName::as_str),
            &current.name_first,
        ),
        name_last: text(
            patch.name_last.as_ref().map(PersonName::as_str),
            &current.name_last,
        ),
        language: text(
            patch.language.as_ref().map(|l| l.as_str()),
            &current.language,
        ),
        admin: patch.admin.unwrap_or(current.admin),
        external_id: match &patch.external_id {
            Some(external_id) => external_id.as_ref().map(|e| e.as_str().to_owned()),
            None => current.external_id.clone(),
        },
        suspended: patch.suspended.unwrap_or(current.suspended),
        has_password: current.has_password || patch.password.is_some(),
        role,
        ..current.clone()
    }
}

/// A user as the transaction that wrote them sees them.
async fn written_user(tx: &mut Tx, uuid: Uuid) -> Result<User, CoreError> {
    user_for_update(tx, uuid)
        .await?
        .ok_or(CoreError::NotFound(Entity::User))
}

/// How taken values are looked up: case-insensitively for username and email, exactly for
/// external ids, always excluding the user being changed.
async fn taken(
    tx: &mut Tx,
    except: Uuid,
    username: Option<&str>,
    email: Option<&str>,
    external_id: Option<&str>,
) -> Result<(bool, bool), CoreError> {
    let name_or_email = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM users WHERE uuid <> $1 \
             AND (lower(username) = lower($2) OR lower(email) = lower($3))",
        )
        .bind(except)
        .bind(username)
        .bind(email)
        .fetch_one(conn)
        .await
    })?;
    let external = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM users WHERE uuid <> $1 AND external_id = $2",
        )
        .bind(except)
        .bind(external_id)
        .fetch_one(conn)
        .await
    })?;
    Ok((name_or_email > 0, external > 0))
}

async fn check_role(tx: &mut Tx, role_uuid: Option<Uuid>) -> Result<(), CoreError> {
    match role_uuid {
        Some(role) if !exists(tx, "roles", role).await? => {
            Err(CoreError::InvalidRelation("role".to_owned()))
        }
        _ => Ok(()),
    }
}

/// A unique index that refused a write which the checks above let through (a concurrent write
/// won the race) still becomes the contract's conflict.
fn write_error(error: sqlx::Error, on_unique: impl Fn(Option<&str>) -> Conflict) -> CoreError {
    match violation(&error) {
        Some(Violation::Unique(constraint)) => {
            CoreError::Conflict(on_unique(constraint.as_deref()))
        }
        Some(Violation::ForeignKey) => CoreError::InvalidRelation("role".to_owned()),
        None => error.into(),
    }
}

impl Core {
    /// A user the caller acts on with `permission`: the route's permissions, the user, and
    /// authority over them, checked in that order.
    pub(crate) async fn user_under_authority(
        &self,
        principal: &Principal,
        uuid: Uuid,
        permission: Permission,
    ) -> Result<User, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(permission)?;
        let user = self.load_user(uuid).await?;
        require_authority_over(principal, &user)?;
        Ok(user)
    }
}

/// Authority over a user as they stand: every admin permission they hold, which for a global
/// admin is all of them.
pub(crate) fn require_authority_over(
    principal: &Principal,
    target: &User,
) -> Result<(), CoreError> {
    if target.admin {
        return principal.require_global(Guardrail::ModifyAdmin);
    }
    match &target.role {
        Some(role) => principal.require_all(&role.admin_permissions),
        None => Ok(()),
    }
}

/// Whether `principal` may apply `patch` to `current`, judged on the user as stored and the
/// patch alone. Changing any field needs authority over the user; making or unmaking a global
/// admin needs all of it; the contract's guardrails hold for role admins.
fn authorize_update(
    principal: &Principal,
    current: &User,
    patch: &UserPatch,
) -> Result<(), CoreError> {
    require_authority_over(principal, current)?;
    if let Some(admin) = patch.admin
        && admin != current.admin
    {
        principal.require_global(if admin {
            Guardrail::GrantAdmin
        } else {
            Guardrail::ModifyAdmin
        })?;
    }
    if patch.role_uuid.is_some() && !principal.is_global_admin() {
        return Err(CoreError::Guardrail(Guardrail::AssignRole));
    }
    if patch.suspended == Some(true) && principal.user.uuid == current.uuid {
        return Err(CoreError::SuspendSelf);
    }
    let changes_secret = patch.password.is_some()
        || patch
            .email
            .as_ref()
            .is_some_and(|email| email.as_str() != current.email);
    if changes_secret && principal.user.uuid == current.uuid {
        // In person only: a key, or a session left open, must not take over its own account.
        return Err(CoreError::Guardrail(Guardrail::OwnCredentials));
    }
    if changes_secret && !principal.is_global_admin() {
        return Err(CoreError::Guardrail(Guardrail::ChangeOthersEmailOrPassword));
    }
    Ok(())
}

/// Counts the global admins who are not suspended: those who can still act.
const ACTIVE_GLOBAL_ADMINS: &str =
    "SELECT count(*) FROM users WHERE admin = TRUE AND suspended = FALSE";

/// Refuses a change that would take away the only active (not suspended) global admin. On
/// PostgreSQL the count runs under a transaction-wide lock, so two admins demoting each other at
/// once cannot both pass.
async fn keep_a_global_admin(tx: &mut Tx) -> Result<(), CoreError> {
    if let Some(lock) = dialect::admin_removal_lock(tx.backend()) {
        with_tx!(tx, conn => sqlx::query(lock).execute(conn).await.map(|_| ()))?;
    }
    let admins = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(ACTIVE_GLOBAL_ADMINS)
            .fetch_one(conn)
            .await
    })?;
    if admins <= 1 {
        return Err(CoreError::LastGlobalAdmin);
    }
    Ok(())
}

/// Rows per statement when seeding, and statements per transaction: large transactions let
/// SQLite's full-text index write few, large segments.
const SEED_BATCH: u64 = 500;
const SEED_BATCHES_PER_COMMIT: u64 = 20;

/// What `roster seed` wrote.
#[derive(Debug)]
pub struct SeedReport {
    pub inserted: u64,
}

impl Core {
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_users(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<User>, CoreError> {
        principal.require(Permission::UsersRead)?;
        let mut conditions = Vec::new();
        let bound = query.search.as_ref().map(|term| {
            let (condition, bound) = dialect::user_search(self.backend(), term);
            conditions.push(condition.to_owned());
            bound
        });
        if let Some(suspended) = query.suspended {
            conditions.push(format!(
                "u.suspended = {}",
                if suspended { "TRUE" } else { "FALSE" }
            ));
        }
        if let Some(signed_in) = query.signed_in {
            conditions.push(format!(
                "u.last_login IS {}NULL",
                if signed_in { "NOT " } else { "" }
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // A search alone on SQLite is answered by the full-text index: it counts the matches
        // itself, and yields them in id order, which is the listing order while users' ids
        // follow it (`user_order`).
        let full_text = conditions.len() == 1
            && query
                .search
                .as_deref()
                .is_some_and(|term| dialect::searches_full_text(self.backend(), term));
        let full_text_in_order = full_text && self.users_follow_ids().await?;
        // Without a filter the total is the trigger-kept count, not a scan of every row.
        // A search alone of one or two characters is counted from the counts kept per gram.
        let gram_count = (conditions.len() == 1)
            .then(|| dialect::gram_count(self.backend(), query.search.as_deref()?))
            .flatten();
        let count_sql = if conditions.is_empty() {
            "SELECT total FROM user_count".to_owned()
        } else if let Some(sql) = gram_count {
            sql
        } else if full_text {
            dialect::FULL_TEXT_COUNT.to_owned()
        } else {
            format!("SELECT count(*) FROM users u {filter}")
        };
        // A search alone of three characters or more on PostgreSQL is counted by where it
        // matches: under which names, and by which logins (`name_search`).
        let names = match (&bound, query.search.as_deref()) {
            (Some(pattern), Some(term))
                if conditions.len() == 1 && dialect::searches_names(self.backend(), term) =>
            {
                self.match_names(pattern).await?
            }
            _ => None,
        };
        let total = if let Some(names) = &names {
            names.total()
        } else {
            with_db!(&self.db, pool => {
                let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
                if let Some(bound) = &bound {
                    q = q.bind(bound);
                }
                q.fetch_one(pool).await
            })?
        };
        // When every match is a user under one of a few names, the page is read in listing
        // order from the names' indexes.
        let name_keys = names
            .as_ref()
            .and_then(|names| names.page_keys(query.limit(), query.offset()));
        let by_names = name_keys.is_some();
        // On PostgreSQL the planner cannot tell how many users a search matches, and may walk
        // the listing order for a page of a rare term through the whole table. The exact total
        // can: when walking would read more rows than there are matches, the matches are
        // collected through the trigram index and sorted instead.
        let collect_matches = !by_names
            && self.backend() == Backend::Postgres
            && query.search.is_some()
            && query.offset() < total
            && self
                .walk_reads_more_than(total, query.offset() + query.limit())
                .await?;
        // The page's keys come from the (created, uuid) index alone; only the rows shown are
        // read whole, so a deep page skips index entries rather than rows. Without a filter a
        // deep page starts from the block that holds it and skips only inside that block.
        let through_blocks = conditions.is_empty() && self.reaches_through_blocks(query.offset());
        let keys = if let Some(keys) = name_keys {
            keys
        } else if through_blocks {
            super::user_blocks::deep_page_keys(query.limit())
        } else if collect_matches {
            format!(
                "WITH found AS MATERIALIZED (SELECT u.uuid, u.created FROM users u {filter}) \
                 SELECT uuid, created FROM found ORDER BY created, uuid LIMIT {} OFFSET {}",
                query.limit(),
                query.offset()
            )
        } else if full_text_in_order {
            dialect::full_text_page_keys(query.limit(), query.offset())
        } else {
            format!(
                "SELECT u.uuid, u.created FROM users u {filter} \
                 ORDER BY u.created, u.uuid LIMIT {} OFFSET {}",
                query.limit(),
                query.offset()
            )
        };
        let page_sql = format!(
            "SELECT {USER_COLUMNS} FROM ({keys}) page \
             JOIN users u ON u.uuid = page.uuid LEFT JOIN roles r ON r.uuid = u.role_uuid \
             ORDER BY page.created, page.uuid"
        );
        let rows = if query.offset() >= total {
            Vec::new()
        } else if let Some(names) = names.as_ref().filter(|_| by_names) {
            names.read_page(&page_sql).await?
        } else {
            with_db!(&self.db, pool => {
                let mut q = sqlx::query_as::<_, UserRow>(&page_sql);
                if let Some(bound) = &bound {
                    q = q.bind(bound);
                }
                if through_blocks {
                    q = q.bind(query.offset());
                }
                q.fetch_all(pool).await
            })?
        };
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(User::from).collect(),
        })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_user(&self, principal: &Principal, uuid: Uuid) -> Result<User, CoreError> {
        principal.require(Permission::UsersRead)?;
        self.load_user(uuid).await
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_user_by_external_id(
        &self,
        principal: &Principal,
        external_id: &str,
    ) -> Result<User, CoreError> {
        principal.require(Permission::UsersRead)?;
        // Stored ids never hold NUL (PostgreSQL text cannot), so such an id names nobody.
        if external_id.contains('\0') {
            return Err(CoreError::NotFound(Entity::User));
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.external_id = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).bind(external_id).fetch_optional(pool).await
        })?;
        row.map(User::from).ok_or(CoreError::NotFound(Entity::User))
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_user(
        &self,
        principal: &Principal,
        input: NewUser,
    ) -> Result<User, CoreError> {
        principal.require(Permission::UsersCreate)?;
        if input.admin {
            principal.require_global(Guardrail::GrantAdmin)?;
        }
        if let Some(role_uuid) = input.role_uuid {
            self.authorize_role_grant(principal, role_uuid).await?;
        }
        self.insert_user(input, &Actor::of(principal)).await
    }

    /// Creates a user on the operator's authority (first admin, `roster users create`): no
    /// principal, so no permission or guardrail applies.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_user_as_operator(&self, input: NewUser) -> Result<User, CoreError> {
        self.insert_user(input, &Actor::operator()).await
    }

    /// Handing out a role hands out its permissions: only global admins assign roles (the
    /// contract), and only roles whose every permission the caller may use (a narrower key).
    /// An unknown role is left to the write, which reports it as an invalid relation.
    async fn authorize_role_grant(
        &self,
        principal: &Principal,
        role_uuid: Uuid,
    ) -> Result<(), CoreError> {
        if !principal.is_global_admin() {
            return Err(CoreError::Guardrail(Guardrail::AssignRole));
        }
        match self.find_role(role_uuid).await {
            Ok(role) => principal.require_all(&role.admin_permissions),
            Err(CoreError::NotFound(_)) => Ok(()),
            Err(other) => Err(other),
        }
    }

    async fn optional_hash(&self, password: Option<Password>) -> Result<Option<String>, CoreError> {
        match password {
            Some(password) => Ok(Some(self.hasher.hash(password).await?)),
            None => Ok(None),
        }
    }

    async fn insert_user(&self, input: NewUser, actor: &Actor) -> Result<User, CoreError> {
        let password_hash = self.optional_hash(input.password).await?;
        let uuid = Uuid::new_v4();
        let mut tx = self.db.begin().await?;
        check_role(&mut tx, input.role_uuid).await?;
        let external_id = input.external_id.as_ref().map(|e| e.as_str());
        let (name_or_email, external) = taken(
            &mut tx,
            uuid,
            Some(input.username.as_str()),
            Some(input.email.as_str()),
            external_id,
        )
        .await?;
        if name_or_email {
            return Err(CoreError::Conflict(Conflict::UserUsernameOrEmail));
        }
        if external {
            return Err(CoreError::Conflict(Conflict::UserExternalId));
        }
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO users (uuid, external_id, username, email, name_first, name_last, \
                 password_hash, admin, totp_enabled, language, role_uuid, created, suspended) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9, $10, $11, $12)",
            )
            .bind(uuid)
            .bind(external_id)
            .bind(input.username.as_str())
            .bind(input.email.as_str())
            .bind(input.name_first.as_str())
            .bind(input.name_last.as_str())
            .bind(password_hash.as_deref())
            .bind(input.admin)
            .bind(input.language.as_str())
            .bind(input.role_uuid)
            .bind(now())
            .bind(input.suspended)
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(|e| {
            write_error(e, |constraint| match constraint {
                Some("users_external_id_key") => Conflict::UserExternalId,
                _ => Conflict::UserUsernameOrEmail,
            })
        })?;
        if input.send_email {
            super::passwords::welcome(
                &mut tx,
                &self.mail.public_url,
                uuid,
                input.username.as_str(),
                input.email.as_str(),
            )
            .await?;
        }
        let created = written_user(&mut tx, uuid).await?;
        let changes = Changes::created(user_snapshot(&created));
        self.record(
            &mut tx,
            actor,
            Event::UserCreate,
            Some(Target::user(&created)),
            changes,
        )
        .await?;
        self.commit(tx, Narrowed::Nothing).await?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_user(
        &self,
        principal: &Principal,
        uuid: Uuid,
        patch: UserPatch,
        precondition: &Precondition,
    ) -> Result<User, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(Permission::UsersUpdate)?;
        // A password to hash or a role to grant is judged once before the transaction, so that
        // a refused request costs no Argon2 work; the locked row below is what counts.
        if patch.password.is_some() || matches!(patch.role_uuid, Some(Some(_))) {
            let stored = self.load_user(uuid).await?;
            authorize_update(principal, &stored, &patch)?;
            if let Some(Some(role_uuid)) = patch.role_uuid {
                self.authorize_role_grant(principal, role_uuid).await?;
            }
        }
        let password_hash = self.optional_hash(patch.password.clone()).await?;
        let mut tx = self.db.begin().await?;
        let current = user_for_update(&mut tx, uuid)
            .await?
            .ok_or(CoreError::NotFound(Entity::User))?;
        authorize_update(principal, &current, &patch)?;
        conditional::expect(precondition, &current)?;
        let suspends = patch.suspended == Some(true) && !current.suspended;
        let demotes = patch.admin == Some(false);
        if current.admin && !current.suspended && (demotes || suspends) {
            keep_a_global_admin(&mut tx).await?;
        }
        let role = match patch.role_uuid {
            Some(Some(role_uuid)) => Some(
                role_in(&mut tx, role_uuid)
                    .await?
                    .ok_or_else(|| CoreError::InvalidRelation("role".to_owned()))?,
            ),
            Some(None) => None,
            None => current.role.clone(),
        };
        let after = patched(&current, &patch, role);
        let changes_external_id = patch.external_id.is_some();
        let (name_or_email, external) = taken(
            &mut tx,
            uuid,
            patch.username.as_ref().map(Username::as_str),
            patch.email.as_ref().map(Email::as_str),
            after.external_id.as_deref().filter(|_| changes_external_id),
        )
        .await?;
        if name_or_email || external {
            return Err(CoreError::Conflict(Conflict::UserUpdate));
        }
        let mut changes = Changes::between(user_snapshot(&current), user_snapshot(&after));
        if password_hash.is_some() {
            changes = changes.password_changed();
        }
        // The hottest write of the API goes to the database with its activity row in one
        // statement.
        let entry = self.entry(
            &Actor::of(principal),
            Event::UserUpdate,
            Some(Target::user(&after)),
            changes,
        );
        let update = "UPDATE users SET username = $2, email = $3, name_first = $4, \
            name_last = $5, password_hash = COALESCE($6, password_hash), admin = $7, \
            language = $8, role_uuid = $9, external_id = $10, suspended = $11 WHERE uuid = $1";
        let sql = match entry {
            Some(_) => alongside(tx.backend(), update, 11),
            None => update.to_owned(),
        };
        with_tx!(&mut tx, conn => {
            let query = sqlx::query(&sql)
                .bind(uuid)
                .bind(&after.username)
                .bind(&after.email)
                .bind(&after.name_first)
                .bind(&after.name_last)
                .bind(password_hash.as_deref())
                .bind(after.admin)
                .bind(&after.language)
                .bind(after.role.as_ref().map(|role| role.uuid))
                .bind(after.external_id.as_deref())
                .bind(after.suspended);
            match &entry {
                Some(entry) => bind_entry!(query, entry).execute(conn).await,
                None => query.execute(conn).await,
            }
            .map(|_| ())
        })
        .map_err(|e| write_error(e, |_| Conflict::UserUpdate))?;
        if after.email != current.email {
            tell_old_address(&mut tx, &current, &after.email).await?;
        }
        if password_hash.is_some() || after.email != current.email {
            end_after_credential_change(&mut tx, uuid, None).await?;
        } else if suspends {
            end_sessions_except(&mut tx, uuid, None).await?;
        }
        let updated = written_user(&mut tx, uuid).await?;
        self.commit(tx, Narrowed::User(uuid)).await?;
        Ok(updated)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_user(
        &self,
        principal: &Principal,
        uuid: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(Permission::UsersDelete)?;
        if uuid == principal.user.uuid {
            return Err(CoreError::DeleteSelf);
        }
        let mut tx = self.db.begin().await?;
        let current = user_for_update(&mut tx, uuid)
            .await?
            .ok_or(CoreError::NotFound(Entity::User))?;
        require_authority_over(principal, &current)?;
        conditional::expect(precondition, &current)?;
        if current.admin {
            keep_a_global_admin(&mut tx).await?;
        }
        let servers = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM servers WHERE owner_uuid = $1")
                .bind(uuid)
                .fetch_one(conn)
                .await
        })?;
        if servers > 0 {
            return Err(CoreError::UserHasServers);
        }
        let changes = Changes::deleted(user_snapshot(&current));
        let target = Some(Target::user(&current));
        self.record(
            &mut tx,
            &Actor::of(principal),
            Event::UserDelete,
            target,
            changes,
        )
        .await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM users WHERE uuid = $1")
                .bind(uuid)
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(|e| match violation(&e) {
            Some(Violation::ForeignKey) => CoreError::UserHasServers,
            _ => e.into(),
        })?;
        self.commit(tx, Narrowed::User(uuid)).await?;
        Ok(())
    }

    /// Whether reaching the `end`-th of `matches` users by walking all users in listing order
    /// (matches spread evenly) reads more rows than there are matches.
    async fn walk_reads_more_than(&self, matches: i64, end: i64) -> Result<bool, CoreError> {
        let users = self.count_users().await?;
        Ok(i128::from(end) * i128::from(users) > i128::from(matches) * i128::from(matches))
    }

    /// Whether users' ids follow the listing order (SQLite keeps `user_order`; PostgreSQL has
    /// no such ids).
    async fn users_follow_ids(&self) -> Result<bool, CoreError> {
        let Database::Sqlite(pool) = &self.db else {
            return Ok(false);
        };
        let by_id = sqlx::query_scalar::<_, bool>("SELECT by_id FROM user_order")
            .fetch_one(pool)
            .await?;
        Ok(by_id)
    }

    /// Finds a user by exact username or email, case-insensitively.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_user_by_login(
        &self,
        principal: &Principal,
        login: &str,
    ) -> Result<User, CoreError> {
        principal.require(Permission::UsersRead)?;
        self.find_user_by_login(login).await
    }

    /// Finds a user by username or email, case-insensitively, on the operator's authority
    /// (the CLI).
    pub async fn find_user_by_login(&self, login: &str) -> Result<User, CoreError> {
        if login.contains('\0') {
            return Err(CoreError::NotFound(Entity::User));
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {USER_FROM} \
             WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)"
        );
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).bind(login).fetch_optional(pool).await
        })?;
        row.map(User::from).ok_or(CoreError::NotFound(Entity::User))
    }

    /// How many active (not suspended) global admins there are; for start-up checks.
    pub async fn count_global_admins(&self) -> Result<i64, CoreError> {
        let count = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(ACTIVE_GLOBAL_ADMINS)
                .fetch_one(pool)
                .await
        })?;
        Ok(count)
    }

    /// Fills the database with `count` generated users (no passwords) for measurements, in
    /// batched transactions.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn seed_users(&self, count: u64) -> Result<SeedReport, CoreError> {
        let start = now();
        let run = &Uuid::new_v4().simple().to_string()[..6];
        let mut inserted = 0;
        while inserted < count {
            let mut tx = self.db.begin().await?;
            GramTally::defer_triggers(&mut tx).await?;
            let mut grams = GramTally::default();
            for _ in 0..SEED_BATCHES_PER_COMMIT {
                let batch = SEED_BATCH.min(count - inserted);
                if batch == 0 {
                    break;
                }
                let mut sql = String::from(
                    "INSERT INTO users (uuid, username, email, name_first, name_last, admin, \
                     totp_enabled, language, created) VALUES ",
                );
                for i in 0..batch {
                    if i > 0 {
                        sql.push(',');
                    }
                    let n = i * 6;
                    sql.push_str(&format!(
                        "(${}, ${}, ${}, ${}, ${}, FALSE, FALSE, 'en', ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5,
                        n + 6
                    ));
                }
                with_tx!(&mut tx, conn => {
                    let mut q = sqlx::query(&sql);
                    for i in inserted..inserted + batch {
                        let (first, last) = seed_name(i);
                        let username = format!("s{run}_{i}");
                        let email = format!("seed.{run}.{i}@example.com");
                        grams.add_user([&username, &email, first, last]);
                        q = q
                            .bind(Uuid::new_v4())
                            .bind(username)
                            .bind(email)
                            .bind(first)
                            .bind(last)
                            .bind(start + chrono::Duration::microseconds(i as i64));
                    }
                    q.execute(conn).await.map(|_| ())
                })?;
                inserted += batch;
            }
            grams.write(&mut tx).await?;
            self.commit(tx, Narrowed::Nothing).await?;
        }
        self.balance_user_blocks().await?;
        Ok(SeedReport { inserted })
    }
}

fn seed_name(i: u64) -> (&'static str, &'static str) {
    const FIRST: &[&str] = &[
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Ken", "Radia",
        "Frances", "Niklaus", "Leslie", "Tony", "Hedy", "John",
    ];
    const LAST: &[&str] = &[
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds",
        "Thompson", "Perlman", "Allen", "Wirth", "Lamport", "Hoare", "Lamarr", "Backus",
    ];
    (
        FIRST[(i % FIRST.len() as u64) as usize],
        LAST[((i / FIRST.len() as u64) % LAST.len() as u64) as usize],
    )
}
