use crate::error::Refusal;
use uuid::Uuid;

use super::account::{end_after_credential_change, tell_old_address};
use super::activity::{Changes, Target, alongside, bind_entry, user_snapshot};
use super::conditional;
use super::credentials::Narrowed;
use super::roles::role_in;
use super::sessions::end_sessions_except;
use super::write::Write;
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
use crate::store::{Tx, Violation, dialect, violation, with_db, with_tx};

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
        frozen: patch.frozen.unwrap_or(current.frozen),
        toast_position: patch.toast_position.unwrap_or(current.toast_position),
        start_on_grouped_servers: patch
            .start_on_grouped_servers
            .unwrap_or(current.start_on_grouped_servers),
        has_password: current.has_password || patch.password.is_some(),
        require_two_factor: role.as_ref().is_some_and(|role| role.require_two_factor),
        role,
        ..current.clone()
    }
}

/// A user as the transaction that wrote them sees them.
async fn written_user(tx: &mut Tx, uuid: Uuid) -> Result<User, CoreError> {
    user_for_update(tx, uuid)
        .await?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
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
    // Nothing asked, nothing to look up: a suspension or a role change asks neither.
    let name_or_email = if username.is_none() && email.is_none() {
        0
    } else {
        with_tx!(tx, conn => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM users WHERE uuid <> $1 \
                 AND (lower(username) = lower($2) OR lower(email) = lower($3))",
            )
            .bind(except)
            .bind(username)
            .bind(email)
            .fetch_one(conn)
            .await
        })?
    };
    let external = if external_id.is_none() {
        0
    } else {
        with_tx!(tx, conn => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM users WHERE uuid <> $1 AND external_id = $2",
            )
            .bind(except)
            .bind(external_id)
            .fetch_one(conn)
            .await
        })?
    };
    Ok((name_or_email > 0, external > 0))
}

async fn check_role(tx: &mut Tx, role_uuid: Option<Uuid>) -> Result<(), CoreError> {
    match role_uuid {
        Some(role) if !exists(tx, "roles", role).await? => Err(CoreError::Refused(
            Refusal::InvalidRelation("role".to_owned()),
        )),
        _ => Ok(()),
    }
}

/// A unique index that refused a write which the checks above let through (a concurrent write
/// won the race) still becomes the contract's conflict.
fn write_error(error: sqlx::Error, on_unique: impl Fn(Option<&str>) -> Conflict) -> CoreError {
    match violation(&error) {
        Some(Violation::Unique(constraint)) => {
            CoreError::Refused(Refusal::Conflict(on_unique(constraint.as_deref())))
        }
        Some(Violation::ForeignKey) => {
            CoreError::Refused(Refusal::InvalidRelation("role".to_owned()))
        }
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
pub(crate) fn authorize_update(
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
        return Err(CoreError::Refused(Refusal::Guardrail(
            Guardrail::AssignRole,
        )));
    }
    if patch.suspended == Some(true) && principal.user.uuid == current.uuid {
        return Err(CoreError::Refused(Refusal::SuspendSelf));
    }
    let changes_secret = patch.password.is_some()
        || patch
            .email
            .as_ref()
            .is_some_and(|email| email.as_str() != current.email);
    if changes_secret && principal.user.uuid == current.uuid {
        // In person only: a key, or a session left open, must not take over its own account.
        return Err(CoreError::Refused(Refusal::Guardrail(
            Guardrail::OwnCredentials,
        )));
    }
    if changes_secret && !principal.is_global_admin() {
        return Err(CoreError::Refused(Refusal::Guardrail(
            Guardrail::ChangeOthersEmailOrPassword,
        )));
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
        return Err(CoreError::Refused(Refusal::LastGlobalAdmin));
    }
    Ok(())
}

impl Core {
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_users(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<User>, CoreError> {
        principal.require(Permission::UsersRead)?;
        let listing = self.plan_listing(&query).await?;
        self.run_listing(listing, &query).await
    }

    /// A page of the users holding `role`, in the listing's order and with its search.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_role_users(
        &self,
        principal: &Principal,
        role: Uuid,
        query: ListQuery,
    ) -> Result<Page<User>, CoreError> {
        principal.require(Permission::RolesRead)?;
        principal.require(Permission::UsersRead)?;
        self.get_role(principal, role).await?;
        let query = ListQuery {
            role: Some(role),
            ..query
        };
        let listing = self.plan_listing(&query).await?;
        self.run_listing(listing, &query).await
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
            return Err(CoreError::Refused(Refusal::NotFound(Entity::User)));
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.external_id = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).bind(external_id).fetch_optional(pool).await
        })?;
        row.map(User::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
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
        self.insert_user(principal, input).await
    }

    /// Handing out a role hands out its permissions: only global admins assign roles (the
    /// contract), and only roles whose every permission the caller may use (a narrower key).
    /// An unknown role is left to the write, which reports it as an invalid relation.
    pub(crate) async fn authorize_role_grant(
        &self,
        principal: &Principal,
        role_uuid: Uuid,
    ) -> Result<(), CoreError> {
        if !principal.is_global_admin() {
            return Err(CoreError::Refused(Refusal::Guardrail(
                Guardrail::AssignRole,
            )));
        }
        match self.find_role(role_uuid).await {
            Ok(role) => principal.require_all(&role.admin_permissions),
            Err(CoreError::Refused(Refusal::NotFound(_))) => Ok(()),
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn optional_hash(
        &self,
        password: Option<Password>,
    ) -> Result<Option<String>, CoreError> {
        match password {
            Some(password) => Ok(Some(self.hasher.hash(password).await?)),
            None => Ok(None),
        }
    }

    async fn insert_user(&self, principal: &Principal, input: NewUser) -> Result<User, CoreError> {
        let password_hash = self.optional_hash(input.password.clone()).await?;
        let mut tx = self.write(principal).await?;
        let created = self.insert_user_in(&mut tx, input, password_hash).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Writes a new user and its activity row inside `tx`, the password already hashed.
    pub(crate) async fn insert_user_in(
        &self,
        tx: &mut Write<'_>,
        input: NewUser,
        password_hash: Option<String>,
    ) -> Result<User, CoreError> {
        let uuid = Uuid::new_v4();
        check_role(tx, input.role_uuid).await?;
        let external_id = input.external_id.as_ref().map(|e| e.as_str());
        let (name_or_email, external) = taken(
            tx,
            uuid,
            Some(input.username.as_str()),
            Some(input.email.as_str()),
            external_id,
        )
        .await?;
        if name_or_email {
            return Err(CoreError::Refused(Refusal::Conflict(
                Conflict::UserUsernameOrEmail,
            )));
        }
        if external {
            return Err(CoreError::Refused(Refusal::Conflict(
                Conflict::UserExternalId,
            )));
        }
        with_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO users (uuid, external_id, username, email, name_first, name_last, \
                 password_hash, admin, totp_enabled, language, role_uuid, created, suspended, \
                 frozen, toast_position, start_on_grouped_servers) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9, $10, $11, $12, $13, $14, $15)",
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
            .bind(input.frozen)
            .bind(input.toast_position.as_str())
            .bind(input.start_on_grouped_servers)
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
                tx,
                &self.mail.public_url,
                uuid,
                input.username.as_str(),
                input.email.as_str(),
            )
            .await?;
        }
        let created = written_user(tx, uuid).await?;
        let changes = Changes::created(user_snapshot(&created));
        tx.record(Event::UserCreate, Some(Target::user(&created)), changes)
            .await?;
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
        let mut tx = self.write(principal).await?;
        let updated = self
            .update_user_in(&mut tx, principal, uuid, patch, precondition, password_hash)
            .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Changes a user inside `tx`, on the locked row: the authority, the precondition, the
    /// last-admin rule, the uniqueness rules, the activity row and what the change ends (sessions
    /// after a credential changes or a suspension). The password, if any, is hashed already.
    pub(crate) async fn update_user_in(
        &self,
        tx: &mut Write<'_>,
        principal: &Principal,
        uuid: Uuid,
        patch: UserPatch,
        precondition: &Precondition,
        password_hash: Option<String>,
    ) -> Result<User, CoreError> {
        let current = user_for_update(tx, uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
        authorize_update(principal, &current, &patch)?;
        conditional::expect(precondition, &current)?;
        let suspends = patch.suspended == Some(true) && !current.suspended;
        let demotes = patch.admin == Some(false);
        if current.admin && !current.suspended && (demotes || suspends) {
            keep_a_global_admin(tx).await?;
        }
        let role =
            match patch.role_uuid {
                Some(Some(role_uuid)) => Some(role_in(tx, role_uuid).await?.ok_or_else(|| {
                    CoreError::Refused(Refusal::InvalidRelation("role".to_owned()))
                })?),
                Some(None) => None,
                None => current.role.clone(),
            };
        let after = patched(&current, &patch, role);
        let changes_external_id = patch.external_id.is_some();
        let (name_or_email, external) = taken(
            tx,
            uuid,
            patch.username.as_ref().map(Username::as_str),
            patch.email.as_ref().map(Email::as_str),
            after.external_id.as_deref().filter(|_| changes_external_id),
        )
        .await?;
        if name_or_email || external {
            return Err(CoreError::Refused(Refusal::Conflict(Conflict::UserUpdate)));
        }
        let mut changes = Changes::between(user_snapshot(&current), user_snapshot(&after));
        if password_hash.is_some() {
            changes = changes.password_changed();
        }
        // The hottest write of the API goes to the database with its activity row in one
        // statement.
        let entry = tx.entry(Event::UserUpdate, Some(Target::user(&after)), changes);
        let update = "UPDATE users SET username = $2, email = $3, name_first = $4, \
            name_last = $5, password_hash = COALESCE($6, password_hash), admin = $7, \
            language = $8, role_uuid = $9, external_id = $10, suspended = $11, frozen = $12, \
            toast_position = $13, start_on_grouped_servers = $14, updated = $15 WHERE uuid = $1";
        let sql = match entry {
            Some(_) => alongside(tx.backend(), update, 15),
            None => update.to_owned(),
        };
        let endpoints_on = with_tx!(tx, conn => {
            let query = sqlx::query_scalar::<_, bool>(&sql)
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
                .bind(after.suspended)
                .bind(after.frozen)
                .bind(after.toast_position.as_str())
                .bind(after.start_on_grouped_servers)
                .bind(now());
            match &entry {
                Some(entry) => bind_entry!(query, entry).fetch_optional(conn).await,
                None => query.fetch_optional(conn).await,
            }
        })
        .map_err(|e| write_error(e, |_| Conflict::UserUpdate))?;
        if let Some(on) = endpoints_on {
            tx.endpoints_on(on);
        }
        if after.email != current.email {
            tell_old_address(tx, &current, &after.email).await?;
        }
        if password_hash.is_some() || after.email != current.email {
            end_after_credential_change(tx, uuid, None).await?;
        } else if suspends {
            end_sessions_except(tx, uuid, None).await?;
        }
        let updated = written_user(tx, uuid).await?;
        tx.narrows(Narrowed::User(uuid));
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
            return Err(CoreError::Refused(Refusal::DeleteSelf));
        }
        let mut tx = self.write(principal).await?;
        let current = user_for_update(&mut tx, uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))?;
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
            return Err(CoreError::Refused(Refusal::UserHasServers));
        }
        let changes = Changes::deleted(user_snapshot(&current));
        let target = Some(Target::user(&current));
        tx.record(Event::UserDelete, target, changes).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM users WHERE uuid = $1")
                .bind(uuid)
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(|e| match violation(&e) {
            Some(Violation::ForeignKey) => CoreError::Refused(Refusal::UserHasServers),
            _ => e.into(),
        })?;
        tx.narrows(Narrowed::User(uuid));
        tx.commit().await?;
        Ok(())
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

    /// Finds a user by username or email, case-insensitively, on no one's authority: only for
    /// the core's own use (a reset link asked for by address).
    pub(crate) async fn find_user_by_login(&self, login: &str) -> Result<User, CoreError> {
        if login.contains('\0') {
            return Err(CoreError::Refused(Refusal::NotFound(Entity::User)));
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {USER_FROM} \
             WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)"
        );
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, UserRow>(&sql).bind(login).fetch_optional(pool).await
        })?;
        row.map(User::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
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
}
