use uuid::Uuid;

use super::{Core, now};
use crate::domain::api_key::{ApiKey, CreatedApiKey, NewApiKey};
use crate::domain::page::{ListQuery, Page};
use crate::domain::user::User;
use crate::error::{CoreError, Entity};
use crate::principal::{Credential, Principal};
use crate::secret::{new_api_key, sha256_hex};
use crate::store::rows::{ApiKeyRow, encode_permissions};
use crate::store::with_db;

pub(super) const API_KEY_SELECT: &str = "SELECT uuid, user_uuid, name, key_start, key_hash, \
    admin_permissions, expires, created FROM api_keys";

impl Core {
    /// The caller's own keys, newest first.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_api_keys(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<ApiKey>, CoreError> {
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

    /// Creates a key for the caller, who must be signed in: a key cannot mint keys. Its scope can
    /// only hold permissions the caller may use now, so a key never gets a permission its user
    /// lacks.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        input: NewApiKey,
    ) -> Result<CreatedApiKey, CoreError> {
        principal.require_session()?;
        principal.require_all(&input.admin_permissions)?;
        self.insert_api_key(&principal.user, input).await
    }

    /// Creates a key for `owner` on the operator's authority (`roster api-keys create`), still
    /// never with a permission the owner lacks.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_api_key_as_operator(
        &self,
        owner: User,
        input: NewApiKey,
    ) -> Result<CreatedApiKey, CoreError> {
        let as_owner = Principal {
            user: owner,
            credential: Credential::Session {
                session_uuid: Uuid::nil(),
            },
        };
        as_owner.require_all(&input.admin_permissions)?;
        self.insert_api_key(&as_owner.user, input).await
    }

    async fn insert_api_key(
        &self,
        owner: &User,
        input: NewApiKey,
    ) -> Result<CreatedApiKey, CoreError> {
        let uuid = Uuid::new_v4();
        let (key, key_start) = new_api_key();
        with_db!(&self.db, pool => {
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
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        let sql = format!("{API_KEY_SELECT} WHERE uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ApiKeyRow>(&sql).bind(uuid).fetch_one(pool).await
        })?;
        Ok(CreatedApiKey {
            api_key: row.into(),
            key,
        })
    }

    /// Revokes one of the caller's keys, by session only; someone else's key is "not found".
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn revoke_api_key(&self, principal: &Principal, uuid: Uuid) -> Result<(), CoreError> {
        principal.require_session()?;
        self.delete_row("api_keys", uuid, Some(principal.user.uuid), Entity::ApiKey)
            .await
    }
}
