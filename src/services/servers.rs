use crate::error::Refusal;
use uuid::Uuid;

use super::activity::{Changes, Target, server_snapshot};
use super::conditional;
use super::{Core, delete_by_uuid, exists, now};
use crate::domain::activity::Event;
use crate::domain::page::{ListQuery, Page};
use crate::domain::precondition::Precondition;
use crate::domain::server::{NewServer, Server, ServerPatch};
use crate::error::{CoreError, Entity};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{SERVER_SELECT, ServerRow};
use crate::store::{Tx, Violation, dialect, violation, with_db, with_tx};

async fn check_owner(tx: &mut Tx, owner: Uuid) -> Result<(), CoreError> {
    if exists(tx, "users", owner).await? {
        Ok(())
    } else {
        Err(CoreError::Refused(Refusal::InvalidRelation(
            "owner".to_owned(),
        )))
    }
}

/// A server inside a transaction, as that transaction sees it.
async fn server_in(tx: &mut Tx, uuid: Uuid) -> Result<Server, CoreError> {
    let sql = format!("{SERVER_SELECT} WHERE s.uuid = $1");
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, ServerRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    row.map(Server::from)
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Server)))
}

/// A server read to be changed: its row stays locked on PostgreSQL until the transaction ends.
async fn server_for_update(tx: &mut Tx, uuid: Uuid) -> Result<Server, CoreError> {
    // The lock is taken on the server alone: the owner's row stays free for other writers.
    let lock = format!(
        "SELECT uuid FROM servers WHERE uuid = $1{}",
        dialect::lock_row(tx.backend())
    );
    with_tx!(tx, conn => {
        sqlx::query(&lock).bind(uuid).fetch_optional(conn).await.map(|_| ())
    })?;
    server_in(tx, uuid).await
}

fn owner_write_error(error: sqlx::Error) -> CoreError {
    match violation(&error) {
        Some(Violation::ForeignKey) => {
            CoreError::Refused(Refusal::InvalidRelation("owner".to_owned()))
        }
        _ => error.into(),
    }
}

impl Core {
    async fn page_servers(
        &self,
        owner: Option<Uuid>,
        query: ListQuery,
    ) -> Result<Page<Server>, CoreError> {
        let filter = if owner.is_some() {
            "WHERE s.owner_uuid = $1"
        } else {
            ""
        };
        let count_sql = format!("SELECT count(*) FROM servers s {filter}");
        let page_sql = format!(
            "{SERVER_SELECT} {filter} ORDER BY s.created, s.uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let total = with_db!(&self.db, pool => {
            let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
            if let Some(owner) = owner {
                q = q.bind(owner);
            }
            q.fetch_one(pool).await
        })?;
        let rows = with_db!(&self.db, pool => {
            let mut q = sqlx::query_as::<_, ServerRow>(&page_sql);
            if let Some(owner) = owner {
                q = q.bind(owner);
            }
            q.fetch_all(pool).await
        })?;
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(Server::from).collect(),
        })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_servers(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<Server>, CoreError> {
        principal.require(Permission::ServersRead)?;
        self.page_servers(None, query).await
    }

    /// The servers a user owns: what stands between an admin and deleting that user.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_user_servers(
        &self,
        principal: &Principal,
        user: Uuid,
        query: ListQuery,
    ) -> Result<Page<Server>, CoreError> {
        principal.require(Permission::UsersRead)?;
        principal.require(Permission::ServersRead)?;
        self.load_user(user).await?;
        self.page_servers(Some(user), query).await
    }

    async fn find_server(&self, uuid: Uuid) -> Result<Server, CoreError> {
        let sql = format!("{SERVER_SELECT} WHERE s.uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ServerRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        row.map(Server::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Server)))
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_server(&self, principal: &Principal, uuid: Uuid) -> Result<Server, CoreError> {
        principal.require(Permission::ServersRead)?;
        self.find_server(uuid).await
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_server(
        &self,
        principal: &Principal,
        input: NewServer,
    ) -> Result<Server, CoreError> {
        principal.require(Permission::ServersCreate)?;
        let uuid = Uuid::new_v4();
        let mut tx = self.write(principal).await?;
        check_owner(&mut tx, input.owner_uuid).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO servers (uuid, name, owner_uuid, created) VALUES ($1, $2, $3, $4)")
                .bind(uuid)
                .bind(input.name.as_str())
                .bind(input.owner_uuid)
                .bind(now())
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(owner_write_error)?;
        let created = server_in(&mut tx, uuid).await?;
        let changes = Changes::created(server_snapshot(&created));
        let target = Some(Target::server(&created));
        tx.record(Event::ServerCreate, target, changes).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Renames a server or transfers it to another owner.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_server(
        &self,
        principal: &Principal,
        uuid: Uuid,
        patch: ServerPatch,
        precondition: &Precondition,
    ) -> Result<Server, CoreError> {
        principal.require(Permission::ServersUpdate)?;
        let mut tx = self.write(principal).await?;
        let current = server_for_update(&mut tx, uuid).await?;
        conditional::expect(precondition, &current)?;
        if let Some(owner) = patch.owner_uuid {
            check_owner(&mut tx, owner).await?;
        }
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE servers SET name = $2, owner_uuid = $3 WHERE uuid = $1")
                .bind(uuid)
                .bind(patch.name.as_ref().map_or(current.name.as_str(), |n| n.as_str()))
                .bind(patch.owner_uuid.unwrap_or(current.owner_uuid))
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(owner_write_error)?;
        let updated = server_in(&mut tx, uuid).await?;
        let changes = Changes::between(server_snapshot(&current), server_snapshot(&updated));
        let target = Some(Target::server(&updated));
        tx.record(Event::ServerUpdate, target, changes).await?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_server(
        &self,
        principal: &Principal,
        uuid: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CoreError> {
        principal.require(Permission::ServersDelete)?;
        let mut tx = self.write(principal).await?;
        let current = server_for_update(&mut tx, uuid).await?;
        conditional::expect(precondition, &current)?;
        let changes = Changes::deleted(server_snapshot(&current));
        let target = Some(Target::server(&current));
        tx.record(Event::ServerDelete, target, changes).await?;
        delete_by_uuid(&mut tx, "servers", uuid).await?;
        tx.commit().await?;
        Ok(())
    }
}
