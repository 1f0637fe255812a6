use crate::error::Refusal;
use uuid::Uuid;

use super::activity::{Changes, Target, role_snapshot};
use super::conditional;
use super::credentials::Narrowed;
use super::write::Write;
use super::{Core, delete_by_uuid, now, page_of, unique_as};
use crate::domain::activity::Event;
use crate::domain::page::{ListQuery, Page};
use crate::domain::precondition::Precondition;
use crate::domain::role::{NewRole, Role, RolePatch};
use crate::error::{Conflict, CoreError, Entity};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{RoleRow, encode_permissions};
use crate::store::{Tx, dialect, with_db, with_tx};

const ROLE_SELECT: &str =
    "SELECT uuid, name, description, admin_permissions, require_two_factor, created FROM roles";

/// Reads a role inside a transaction, locking its row on PostgreSQL until the transaction ends,
/// so that what was checked is what gets written.
pub(crate) async fn role_for_update(tx: &mut Tx, uuid: Uuid) -> Result<Option<Role>, CoreError> {
    let sql = format!(
        "{ROLE_SELECT} WHERE uuid = $1{}",
        dialect::lock_row(tx.backend())
    );
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, RoleRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    Ok(row.map(Role::from))
}

/// A role as a transaction sees it, without locking it.
pub(crate) async fn role_in(tx: &mut Tx, uuid: Uuid) -> Result<Option<Role>, CoreError> {
    let sql = format!("{ROLE_SELECT} WHERE uuid = $1");
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, RoleRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    Ok(row.map(Role::from))
}

/// A role as the transaction that wrote it sees it.
async fn written_role(tx: &mut Tx, uuid: Uuid) -> Result<Role, CoreError> {
    role_for_update(tx, uuid)
        .await?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))
}

async fn name_taken(tx: &mut Tx, except: Uuid, name: &str) -> Result<bool, CoreError> {
    let count = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM roles WHERE uuid <> $1 AND lower(name) = lower($2)",
        )
        .bind(except)
        .bind(name)
        .fetch_one(conn)
        .await
    })?;
    Ok(count > 0)
}

impl Core {
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_roles(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<Role>, CoreError> {
        principal.require(Permission::RolesRead)?;
        let filter = match &query.search {
            Some(_) => format!("WHERE {}", dialect::contains_ci(self.backend(), "name", 1)),
            None => String::new(),
        };
        let count_sql = format!("SELECT count(*) FROM roles {filter}");
        let page_sql = format!(
            "{ROLE_SELECT} {filter} ORDER BY created, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        page_of::<RoleRow, Role>(self, &count_sql, &page_sql, None, &query).await
    }

    pub(crate) async fn find_role(&self, uuid: Uuid) -> Result<Role, CoreError> {
        let sql = format!("{ROLE_SELECT} WHERE uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, RoleRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        row.map(Role::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_role(&self, principal: &Principal, uuid: Uuid) -> Result<Role, CoreError> {
        principal.require(Permission::RolesRead)?;
        self.find_role(uuid).await
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_role(
        &self,
        principal: &Principal,
        input: NewRole,
    ) -> Result<Role, CoreError> {
        let mut tx = self.write(principal).await?;
        let created = self.create_role_in(&mut tx, principal, input).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates a role inside `tx`, with its activity row.
    pub(crate) async fn create_role_in(
        &self,
        tx: &mut Write<'_>,
        principal: &Principal,
        input: NewRole,
    ) -> Result<Role, CoreError> {
        principal.require(Permission::RolesCreate)?;
        // A role carries its permissions to whoever gets it: nobody hands out more than they hold.
        principal.require_all(&input.admin_permissions)?;
        let uuid = Uuid::new_v4();
        if name_taken(tx, uuid, input.name.as_str()).await? {
            return Err(CoreError::Refused(Refusal::Conflict(Conflict::RoleName)));
        }
        with_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO roles (uuid, name, description, admin_permissions, created, \
                 require_two_factor) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid)
            .bind(input.name.as_str())
            .bind(input.description.as_ref().map(|d| d.as_str()))
            .bind(encode_permissions(&input.admin_permissions))
            .bind(now())
            .bind(input.require_two_factor)
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(unique_as(Conflict::RoleName))?;
        let created = written_role(tx, uuid).await?;
        let changes = Changes::created(role_snapshot(&created));
        let target = Some(Target::role(&created));
        tx.record(Event::RoleCreate, target, changes).await?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_role(
        &self,
        principal: &Principal,
        uuid: Uuid,
        patch: RolePatch,
        precondition: &Precondition,
    ) -> Result<Role, CoreError> {
        let mut tx = self.write(principal).await?;
        let updated = self
            .update_role_in(&mut tx, principal, uuid, patch, precondition)
            .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Changes a role inside `tx`, on the locked row, with its activity row.
    pub(crate) async fn update_role_in(
        &self,
        tx: &mut Write<'_>,
        principal: &Principal,
        uuid: Uuid,
        patch: RolePatch,
        precondition: &Precondition,
    ) -> Result<Role, CoreError> {
        principal.require(Permission::RolesUpdate)?;
        if let Some(permissions) = &patch.admin_permissions {
            principal.require_all(permissions)?;
        }
        let current = role_for_update(tx, uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))?;
        // Changing a role changes the authority of everyone holding it, before and after.
        principal.require_all(&current.admin_permissions)?;
        conditional::expect(precondition, &current)?;
        if let Some(name) = &patch.name
            && name_taken(tx, uuid, name.as_str()).await?
        {
            return Err(CoreError::Refused(Refusal::Conflict(Conflict::RoleName)));
        }
        let description = match &patch.description {
            Some(description) => description.as_ref().map(|d| d.as_str().to_owned()),
            None => current.description.clone(),
        };
        with_tx!(tx, conn => {
            sqlx::query(
                "UPDATE roles SET name = $2, description = $3, admin_permissions = $4, \
                 require_two_factor = $5 WHERE uuid = $1",
            )
            .bind(uuid)
            .bind(patch.name.as_ref().map_or(current.name.as_str(), |n| n.as_str()))
            .bind(description.as_deref())
            .bind(encode_permissions(
                patch.admin_permissions.as_deref().unwrap_or(&current.admin_permissions),
            ))
            .bind(patch.require_two_factor.unwrap_or(current.require_two_factor))
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(unique_as(Conflict::RoleName))?;
        let updated = written_role(tx, uuid).await?;
        let changes = Changes::between(role_snapshot(&current), role_snapshot(&updated));
        let target = Some(Target::role(&updated));
        tx.record(Event::RoleUpdate, target, changes).await?;
        tx.narrows(Narrowed::Role(uuid));
        Ok(updated)
    }

    /// Deletes a role, which takes its permissions from everyone holding it; they are left
    /// without one.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_role(
        &self,
        principal: &Principal,
        uuid: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CoreError> {
        principal.require(Permission::RolesDelete)?;
        let mut tx = self.write(principal).await?;
        let current = role_for_update(&mut tx, uuid)
            .await?
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))?;
        principal.require_all(&current.admin_permissions)?;
        conditional::expect(precondition, &current)?;
        let changes = Changes::deleted(role_snapshot(&current));
        let target = Some(Target::role(&current));
        tx.record(Event::RoleDelete, target, changes).await?;
        delete_by_uuid(&mut tx, "roles", uuid).await?;
        tx.narrows(Narrowed::Role(uuid));
        tx.commit().await?;
        Ok(())
    }
}
