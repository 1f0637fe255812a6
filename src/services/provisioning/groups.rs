//! Groups are roles: a group's name is the role's, its members the users holding it. A provider
//! gives a role to a user only where the key's holder could (a global admin, with every
//! permission the role carries); each member changed is a user update with its own activity row,
//! all in the one write of the request.

use uuid::Uuid;

use super::filter::{bind_all, condition};
use crate::domain::activity::Event;
use crate::domain::precondition::Precondition;
use crate::domain::provisioning::{
    Filter, Found, GroupAttribute, GroupChange, Member, MembersChange, ProvisionedGroup, Window,
};
use crate::domain::role::{NewRole, Role, RolePatch};
use crate::domain::user::UserPatch;
use crate::error::{CoreError, Entity, Refusal};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::services::Core;
use crate::services::activity::{Changes, Target};
use crate::services::write::Write;
use crate::store::rows::RoleRow;
use crate::store::{Tx, with_db, with_tx};

const GROUP_SELECT: &str = "SELECT r.uuid, r.name, r.description, r.admin_permissions, \
    r.require_two_factor, r.created, r.external_id FROM roles r";

#[derive(sqlx::FromRow)]
struct GroupRow {
    #[sqlx(flatten)]
    role: RoleRow,
    external_id: Option<String>,
}

async fn external_id_in(tx: &mut Tx, role: Uuid) -> Result<Option<String>, CoreError> {
    let external_id = with_tx!(tx, conn => {
        sqlx::query_scalar::<_, Option<String>>("SELECT external_id FROM roles WHERE uuid = $1")
            .bind(role)
            .fetch_one(conn)
            .await
    })?;
    Ok(external_id)
}

const MEMBERS: &str = "SELECT uuid, COALESCE(provisioned_name, username) FROM users \
    WHERE role_uuid = $1 ORDER BY created, uuid";

fn members_of(rows: Vec<(Uuid, String)>) -> Vec<Member> {
    rows.into_iter()
        .map(|(uuid, user_name)| Member { uuid, user_name })
        .collect()
}

async fn members_in(tx: &mut Tx, role: Uuid) -> Result<Vec<Member>, CoreError> {
    let rows = with_tx!(tx, conn => {
        sqlx::query_as::<_, (Uuid, String)>(MEMBERS).bind(role).fetch_all(conn).await
    })?;
    Ok(members_of(rows))
}

impl Core {
    async fn members(&self, role: Uuid) -> Result<Vec<Member>, CoreError> {
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, (Uuid, String)>(MEMBERS).bind(role).fetch_all(pool).await
        })?;
        Ok(members_of(rows))
    }

    /// The groups a provider's filter matches, oldest first, with their members when asked.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provisioned_groups(
        &self,
        principal: &Principal,
        filter: Option<&Filter<GroupAttribute>>,
        window: Window,
        with_members: bool,
    ) -> Result<Found<ProvisionedGroup>, CoreError> {
        principal.require(Permission::RolesRead)?;
        if with_members {
            principal.require(Permission::UsersRead)?;
        }
        let condition = filter.map(|f| condition(f, 1)).transpose()?;
        let (where_clause, binds) = match &condition {
            Some(c) => (format!("WHERE {}", c.sql), c.binds.as_slice()),
            None => (String::new(), &[][..]),
        };
        let count_sql = format!("SELECT count(*) FROM roles r {where_clause}");
        let total = with_db!(&self.db, pool => {
            bind_all!(sqlx::query_scalar::<_, i64>(&count_sql), binds).fetch_one(pool).await
        })?;
        let rows: Vec<GroupRow> = if window.count == 0 || window.start > total {
            Vec::new()
        } else {
            let sql = format!(
                "{GROUP_SELECT} {where_clause} ORDER BY r.created, r.uuid LIMIT {} OFFSET {}",
                window.count,
                window.start - 1
            );
            with_db!(&self.db, pool => {
                bind_all!(sqlx::query_as::<_, GroupRow>(&sql), binds).fetch_all(pool).await
            })?
        };
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let role = Role::from(row.role);
            let members = match with_members {
                true => Some(self.members(role.uuid).await?),
                false => None,
            };
            items.push(ProvisionedGroup {
                role,
                external_id: row.external_id,
                members,
            });
        }
        Ok(Found { total, items })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provisioned_group(
        &self,
        principal: &Principal,
        uuid: Uuid,
        with_members: bool,
    ) -> Result<ProvisionedGroup, CoreError> {
        principal.require(Permission::RolesRead)?;
        let sql = format!("{GROUP_SELECT} WHERE r.uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, GroupRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))?;
        let members = match with_members {
            true => {
                principal.require(Permission::UsersRead)?;
                Some(self.members(uuid).await?)
            }
            false => None,
        };
        Ok(ProvisionedGroup {
            role: Role::from(row.role),
            external_id: row.external_id,
            members,
        })
    }

    /// Creates a role with no permissions under the group's name, and gives it to its members.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provision_group(
        &self,
        principal: &Principal,
        change: GroupChange,
    ) -> Result<ProvisionedGroup, CoreError> {
        principal.require(Permission::RolesRead)?;
        let Some(name) = change.name else {
            let mut errors = crate::error::FieldErrors::new();
            errors.push("displayName", "is required");
            return Err(CoreError::Refused(Refusal::Invalid(errors)));
        };
        let mut tx = self.write(principal).await?;
        let role = self
            .create_role_in(
                &mut tx,
                principal,
                NewRole {
                    name,
                    description: None,
                    admin_permissions: Vec::new(),
                    require_two_factor: false,
                },
            )
            .await?;
        let change = GroupChange {
            name: None,
            ..change
        };
        let group = self
            .change_group_in(&mut tx, principal, role.uuid, change, &Precondition::None)
            .await?;
        tx.commit().await?;
        Ok(group)
    }

    /// Renames a group and changes who holds it, in one write.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn change_group(
        &self,
        principal: &Principal,
        uuid: Uuid,
        change: GroupChange,
        precondition: &Precondition,
    ) -> Result<ProvisionedGroup, CoreError> {
        principal.require(Permission::RolesRead)?;
        let mut tx = self.write(principal).await?;
        let group = self
            .change_group_in(&mut tx, principal, uuid, change, precondition)
            .await?;
        tx.commit().await?;
        Ok(group)
    }

    async fn change_group_in(
        &self,
        tx: &mut Write<'_>,
        principal: &Principal,
        uuid: Uuid,
        change: GroupChange,
        precondition: &Precondition,
    ) -> Result<ProvisionedGroup, CoreError> {
        let role = match change.name {
            Some(name) => {
                let patch = RolePatch {
                    name: Some(name),
                    ..RolePatch::default()
                };
                self.update_role_in(tx, principal, uuid, patch, precondition)
                    .await?
            }
            None => {
                let role = super::super::roles::role_for_update(tx, uuid)
                    .await?
                    .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Role)))?;
                super::super::conditional::expect(precondition, &role)?;
                role
            }
        };
        if let Some(external_id) = &change.external_id {
            principal.require(Permission::RolesUpdate)?;
            principal.require_all(&role.admin_permissions)?;
            let before = external_id_in(tx, uuid).await?;
            let after = external_id.as_ref().map(|e| e.as_str().to_owned());
            if before != after {
                let changes = Changes::between(
                    serde_json::json!({ "external_id": before }),
                    serde_json::json!({ "external_id": after }),
                );
                tx.record(Event::RoleUpdate, Some(Target::role(&role)), changes)
                    .await?;
            }
            with_tx!(tx, conn => {
                sqlx::query("UPDATE roles SET external_id = $2 WHERE uuid = $1")
                    .bind(uuid)
                    .bind(external_id.as_ref().map(|e| e.as_str()))
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        let current: Vec<Uuid> = match &change.members {
            MembersChange::Keep => Vec::new(),
            _ => members_in(tx, uuid)
                .await?
                .into_iter()
                .map(|m| m.uuid)
                .collect(),
        };
        let wanted = match change.members {
            MembersChange::Keep => None,
            MembersChange::Set(wanted) => Some(wanted),
            MembersChange::Apply { add, remove } => {
                let mut wanted = current.clone();
                wanted.extend(add);
                wanted.retain(|member| !remove.contains(member));
                Some(wanted)
            }
        };
        if let Some(mut wanted) = wanted {
            let mut seen = std::collections::HashSet::new();
            wanted.retain(|member| seen.insert(*member));
            let add: Vec<Uuid> = wanted
                .iter()
                .filter(|member| !current.contains(member))
                .copied()
                .collect();
            let remove: Vec<Uuid> = current
                .iter()
                .filter(|member| !wanted.contains(member))
                .copied()
                .collect();
            if !add.is_empty() || !remove.is_empty() {
                principal.require(Permission::UsersRead)?;
                principal.require(Permission::UsersUpdate)?;
                self.authorize_role_grant(principal, uuid).await?;
            }
            for member in add {
                self.give_role(tx, principal, member, Some(uuid)).await?;
            }
            for member in remove {
                self.give_role(tx, principal, member, None).await?;
            }
        }
        let members = Some(members_in(tx, uuid).await?);
        let external_id = external_id_in(tx, uuid).await?;
        Ok(ProvisionedGroup {
            role,
            external_id,
            members,
        })
    }

    /// One member's change: the same update an admin makes to the user's role.
    async fn give_role(
        &self,
        tx: &mut Write<'_>,
        principal: &Principal,
        member: Uuid,
        role: Option<Uuid>,
    ) -> Result<(), CoreError> {
        let patch = UserPatch {
            role_uuid: Some(role),
            ..UserPatch::default()
        };
        match self
            .update_user_in(tx, principal, member, patch, &Precondition::None, None)
            .await
        {
            Ok(_) => Ok(()),
            Err(CoreError::Refused(Refusal::NotFound(Entity::User))) => Err(CoreError::Refused(
                Refusal::InvalidRelation("members".to_owned()),
            )),
            Err(other) => Err(other),
        }
    }

    /// Deletes a group's role; its members are left without one.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_group(
        &self,
        principal: &Principal,
        uuid: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CoreError> {
        principal.require(Permission::RolesRead)?;
        self.delete_role(principal, uuid, precondition).await
    }
}
