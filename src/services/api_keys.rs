use crate::error::Refusal;
use uuid::Uuid;

use super::activity::{Changes, Target};
use super::credentials::Narrowed;
use super::write::Write;
use super::{Core, delete_by_uuid, now};
use crate::domain::activity::Event;
use crate::domain::api_key::{ApiKey, CreatedApiKey, NewApiKey};
use crate::domain::page::{ListQuery, Page};
use crate::domain::user::User;
use crate::error::{CoreError, Entity};
use crate::principal::Principal;
use crate::secret::{new_api_key, sha256_hex};
use crate::store::rows::{ApiKeyRow, encode_permissions};
use crate::store::{dialect, with_db, with_tx};

pub(super) const API_KEY_SELECT: &str = "SELECT uuid, user_uuid, name, key_start, key_hash, \
    admin_permissions, expires, created FROM api_keys";

/// A key as the log keeps it: what it may do and whose it is, never its secret.
fn api_key_snapshot(key: &ApiKey, owner: &User) -> serde_json::Value {
    serde_json::json!({
        "name": key.name,
        "key_start": key.key_start,
        "admin_permissions": key.admin_permissions,
        "expires": key.expires,
        "owner": { "uuid": owner.uuid, "username": owner.username },
    })
}

impl Core {
    /// The caller's own keys, newest first. Like making them, listing them needs a session: a
    /// key learns nothing of its owner's other keys.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_api_keys(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<ApiKey>, CoreError> {
        principal.require_session()?;
        let total = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM api_keys WHERE user_uuid = $1")
                .bind(principal.user.uuid)
                .fetch_one(pool)
                .await
        })?;
        let sql = format!(
            "{API_KEY_SELECT} WHERE user_uuid = $1 ORDER BY created DESC, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ApiKeyRow>(&sql)
                .bind(principal.user.uuid)
                .fetch_all(pool)
                .await
        })?;
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows.into_iter().map(ApiKey::from).collect(),
        })
    }

    /// Creates a key for the caller, who must be there in person (signed in, or the operator
    /// acting for the key's owner): a key cannot mint keys. Its scope can only hold permissions
    /// the caller may use now, so a key never gets a permission its user lacks.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        input: NewApiKey,
    ) -> Result<CreatedApiKey, CoreError> {
        let mut tx = self.write(principal).await?;
        let created = create_api_key_in(&mut tx, principal, input).await?;
        tx.commit().await?;
        Ok(created)
    }
    /// Revokes one of the caller's keys, by session only; someone else's key is "not found".
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn revoke_api_key(&self, principal: &Principal, uuid: Uuid) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let mut tx = self.write(principal).await?;
        let sql = format!(
            "{API_KEY_SELECT} WHERE uuid = $1 AND user_uuid = $2{}",
            dialect::lock_row(tx.backend())
        );
        let row = with_tx!(&mut tx, conn => {
            sqlx::query_as::<_, ApiKeyRow>(&sql)
                .bind(uuid)
                .bind(principal.user.uuid)
                .fetch_optional(conn)
                .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::ApiKey)))?;
        let api_key = ApiKey::from(row);
        let changes = Changes::deleted(api_key_snapshot(&api_key, &principal.user));
        let target = Some(Target::api_key(uuid, &api_key.name));
        tx.record(Event::ApiKeyRevoke, target, changes).await?;
        delete_by_uuid(&mut tx, "api_keys", uuid).await?;
        tx.narrows(Narrowed::Key(uuid));
        tx.commit().await?;
        Ok(())
    }
}

/// Creates a key for the caller inside `tx` (see [`Core::create_api_key`]).
pub(super) async fn create_api_key_in(
    tx: &mut Write<'_>,
    principal: &Principal,
    input: NewApiKey,
) -> Result<CreatedApiKey, CoreError> {
    principal.require_in_person()?;
    principal.require_own_name()?;
    principal.require_all(&input.admin_permissions)?;
    let owner = &principal.user;
    let uuid = Uuid::new_v4();
    let (key, key_start) = new_api_key();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO api_keys (uuid, user_uuid, name, key_start, key_hash, \
             admin_permissions, expires, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid)
        .bind(owner.uuid)
        .bind(input.name.as_str())
        .bind(&key_start)
        .bind(sha256_hex(&key))
        .bind(encode_permissions(&input.admin_permissions))
        .bind(input.expires)
        .bind(now())
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    let sql = format!("{API_KEY_SELECT} WHERE uuid = $1");
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, ApiKeyRow>(&sql).bind(uuid).fetch_one(conn).await
    })?;
    let api_key = ApiKey::from(row);
    let changes = Changes::created(api_key_snapshot(&api_key, owner));
    let target = Some(Target::api_key(uuid, &api_key.name));
    tx.record(Event::ApiKeyCreate, target, changes).await?;
    Ok(CreatedApiKey { api_key, key })
}
