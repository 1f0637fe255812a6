//! Provisioning from identity providers: the users and groups a provider pushes through the
//! provisioning door, under the same authority rules, field rules and activity log as every other
//! change. A provider states a user whole; what it states is turned into the change the user
//! needs, and goes through the same update as an admin's.
//!
//! A provider's `userName` that breaks the username rule (an email address, a uuid) is kept as sent
//! and the user gets a username made from it ([`username_base`]): the provider finds the user by
//! what it sent, and Roster's own rules still hold.

pub(crate) mod filter;
mod groups;
mod keys;

pub use keys::provisioning_permissions;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Core, now};
use crate::domain::fields::{Language, ToastPosition, Username};
use crate::domain::precondition::Precondition;
use crate::domain::provisioning::{
    Filter, Found, ProvisionedInput, ProvisionedUser, UserAttribute, Window, username_base,
};
use crate::domain::user::{NewUser, UserPatch};
use crate::error::{Conflict, CoreError, Entity, Refusal};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Tx, with_db, with_tx};
use filter::{bind_all, condition};

#[derive(sqlx::FromRow)]
struct ProvisionedRow {
    #[sqlx(flatten)]
    user: UserRow,
    provisioned_name: Option<String>,
    updated: DateTime<Utc>,
}

impl From<ProvisionedRow> for ProvisionedUser {
    fn from(row: ProvisionedRow) -> Self {
        let user = crate::domain::user::User::from(row.user);
        ProvisionedUser {
            user_name: row
                .provisioned_name
                .unwrap_or_else(|| user.username.clone()),
            updated: row.updated,
            user,
        }
    }
}

fn provisioned_select() -> String {
    format!(
        "SELECT {USER_COLUMNS}, u.provisioned_name, COALESCE(u.updated, u.created) AS updated \
         FROM {USER_FROM}"
    )
}

/// The username a provider's `userName` gives a user, and the name kept as sent when it breaks
/// the username rule. A made username that is taken is tried again with four digits.
async fn username_for(
    tx: &mut Tx,
    user_name: &str,
    except: Uuid,
) -> Result<(Username, Option<String>), CoreError> {
    if let Ok(username) = Username::parse(user_name.to_owned()) {
        return Ok((username, None));
    }
    let base = username_base(user_name);
    let mut candidate = base.clone();
    for attempt in 0..20 {
        if !username_taken(tx, &candidate, except).await? {
            let username = Username::parse(candidate).map_err(|reason| {
                CoreError::internal(std::io::Error::other(format!(
                    "BUG: a made username breaks the rule: {reason}"
                )))
            })?;
            return Ok((username, Some(user_name.to_owned())));
        }
        let short: String = base.chars().take(10).collect();
        candidate = format!("{short}_{:04}", (rand_digits() + attempt) % 10_000);
    }
    Err(CoreError::Refused(Refusal::Conflict(
        Conflict::UserUsernameOrEmail,
    )))
}

fn rand_digits() -> u32 {
    u32::from_le_bytes(
        Uuid::new_v4().as_bytes()[..4]
            .try_into()
            .unwrap_or_default(),
    )
}

async fn username_taken(tx: &mut Tx, username: &str, except: Uuid) -> Result<bool, CoreError> {
    let count = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM users WHERE uuid <> $1 AND lower(username) = lower($2)",
        )
        .bind(except)
        .bind(username)
        .fetch_one(conn)
        .await
    })?;
    Ok(count > 0)
}

/// Refuses a `userName` another user is known by already.
async fn check_user_name_free(tx: &mut Tx, user_name: &str, except: Uuid) -> Result<(), CoreError> {
    let count = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM users WHERE uuid <> $1 \
             AND lower(COALESCE(provisioned_name, username)) = lower($2)",
        )
        .bind(except)
        .bind(user_name)
        .fetch_one(conn)
        .await
    })?;
    if count > 0 {
        return Err(CoreError::Refused(Refusal::Conflict(
            Conflict::UserUsernameOrEmail,
        )));
    }
    Ok(())
}

async fn keep_provisioned_name(
    tx: &mut Tx,
    uuid: Uuid,
    provisioned_name: Option<&str>,
) -> Result<(), CoreError> {
    with_tx!(tx, conn => {
        sqlx::query("UPDATE users SET provisioned_name = $2, updated = $3 WHERE uuid = $1")
            .bind(uuid)
            .bind(provisioned_name)
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
    })
    .map_err(super::unique_as(Conflict::UserUsernameOrEmail))
}

async fn provisioned_in(tx: &mut Tx, uuid: Uuid) -> Result<ProvisionedUser, CoreError> {
    let sql = format!("{} WHERE u.uuid = $1", provisioned_select());
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, ProvisionedRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    row.map(ProvisionedUser::from)
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
}

impl Core {
    /// The users a provider's filter matches, oldest first, one window of them.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provisioned_users(
        &self,
        principal: &Principal,
        filter: Option<&Filter<UserAttribute>>,
        window: Window,
    ) -> Result<Found<ProvisionedUser>, CoreError> {
        principal.require(Permission::UsersRead)?;
        let condition = filter.map(|f| condition(f, 1)).transpose()?;
        let (where_clause, binds) = match &condition {
            Some(c) => (format!("WHERE {}", c.sql), c.binds.as_slice()),
            None => (String::new(), &[][..]),
        };
        let total = match &condition {
            None => self.count_users().await?,
            Some(_) => {
                let sql = format!("SELECT count(*) FROM users u {where_clause}");
                with_db!(&self.db, pool => {
                    bind_all!(sqlx::query_scalar::<_, i64>(&sql), binds).fetch_one(pool).await
                })?
            }
        };
        let items = if window.count == 0 || window.start > total {
            Vec::new()
        } else {
            let sql = format!(
                "{} {where_clause} ORDER BY u.created, u.uuid LIMIT {} OFFSET {}",
                provisioned_select(),
                window.count,
                window.start - 1
            );
            let rows = with_db!(&self.db, pool => {
                bind_all!(sqlx::query_as::<_, ProvisionedRow>(&sql), binds).fetch_all(pool).await
            })?;
            rows.into_iter().map(ProvisionedUser::from).collect()
        };
        Ok(Found { total, items })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provisioned_user(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<ProvisionedUser, CoreError> {
        principal.require(Permission::UsersRead)?;
        let sql = format!("{} WHERE u.uuid = $1", provisioned_select());
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ProvisionedRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        row.map(ProvisionedUser::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::User)))
    }

    /// Creates the user a provider states: never an admin, never with a role (groups give
    /// roles), with no mail sent.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provision_user(
        &self,
        principal: &Principal,
        input: ProvisionedInput,
    ) -> Result<ProvisionedUser, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(Permission::UsersCreate)?;
        let password_hash = self.optional_hash(input.password.clone()).await?;
        let mut tx = self.write(principal).await?;
        check_user_name_free(&mut tx, &input.user_name, Uuid::nil()).await?;
        let (username, provisioned_name) =
            username_for(&mut tx, &input.user_name, Uuid::nil()).await?;
        let new = NewUser {
            username,
            email: input.email,
            name_first: input.name_first,
            name_last: input.name_last,
            password: input.password,
            admin: false,
            language: input.language.unwrap_or_default(),
            role_uuid: None,
            external_id: input.external_id,
            suspended: !input.active,
            frozen: false,
            toast_position: ToastPosition::default(),
            start_on_grouped_servers: true,
            send_email: false,
        };
        let created = self.insert_user_in(&mut tx, new, password_hash).await?;
        if provisioned_name.is_some() {
            keep_provisioned_name(&mut tx, created.uuid, provisioned_name.as_deref()).await?;
        }
        let provisioned = provisioned_in(&mut tx, created.uuid).await?;
        tx.commit().await?;
        Ok(provisioned)
    }

    /// Makes a user what a provider states, changing only what differs, through the same update
    /// as an admin's: suspending signs the user out everywhere.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn reprovision_user(
        &self,
        principal: &Principal,
        uuid: Uuid,
        input: ProvisionedInput,
        precondition: &Precondition,
    ) -> Result<ProvisionedUser, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(Permission::UsersUpdate)?;
        let stored = self.provisioned_user(principal, uuid).await?;
        super::users::require_authority_over(principal, &stored.user)?;
        let password_hash = self.optional_hash(input.password.clone()).await?;
        let mut tx = self.write(principal).await?;
        let mut patch = changes(&stored, &input);
        let mut rename = None;
        if input.user_name != stored.user_name {
            check_user_name_free(&mut tx, &input.user_name, uuid).await?;
            let (username, kept) = username_for(&mut tx, &input.user_name, uuid).await?;
            if username.as_str() != stored.user.username {
                patch.username = Some(username);
            }
            rename = Some(kept);
        }
        if patch_is_empty(&patch) {
            super::conditional::expect(precondition, &stored.user)?;
            if rename.is_none() {
                // Nothing changes: answered as a read, judged like a write.
                return Ok(stored);
            }
        } else {
            self.update_user_in(&mut tx, principal, uuid, patch, precondition, password_hash)
                .await?;
        }
        if let Some(kept) = rename {
            keep_provisioned_name(&mut tx, uuid, kept.as_deref()).await?;
        }
        let provisioned = provisioned_in(&mut tx, uuid).await?;
        tx.commit().await?;
        Ok(provisioned)
    }
}

/// What must change for `stored` to be what `input` states (the username aside).
fn changes(stored: &ProvisionedUser, input: &ProvisionedInput) -> UserPatch {
    let user = &stored.user;
    let differs = |new: &str, old: &str| new != old;
    UserPatch {
        email: Some(input.email.clone()).filter(|e| differs(e.as_str(), &user.email)),
        name_first: Some(input.name_first.clone())
            .filter(|n| differs(n.as_str(), &user.name_first)),
        name_last: Some(input.name_last.clone()).filter(|n| differs(n.as_str(), &user.name_last)),
        password: input.password.clone(),
        language: input
            .language
            .clone()
            .filter(|l: &Language| differs(l.as_str(), &user.language)),
        external_id: Some(input.external_id.clone())
            .filter(|e| e.as_ref().map(|e| e.as_str()) != user.external_id.as_deref()),
        suspended: Some(!input.active).filter(|s| *s != user.suspended),
        ..UserPatch::default()
    }
}

fn patch_is_empty(patch: &UserPatch) -> bool {
    patch.username.is_none()
        && patch.email.is_none()
        && patch.name_first.is_none()
        && patch.name_last.is_none()
        && patch.password.is_none()
        && patch.language.is_none()
        && patch.external_id.is_none()
        && patch.suspended.is_none()
}

impl Core {
    /// Where providers reach the provisioning door, from Roster's public address.
    pub fn provisioning_base_url(&self) -> String {
        format!("{}/scim/v2", self.mail.public_url)
    }
}
