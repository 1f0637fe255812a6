//! The keys a provider uses, made on the provisioning page, and the requests each made: what an
//! admin looks at when a provider reports a failure.

use uuid::Uuid;

use super::super::api_keys::{API_KEY_SELECT, create_api_key_in};
use crate::domain::api_key::{ApiKey, CreatedApiKey, NewApiKey};
use crate::domain::fields::Label;
use crate::domain::provisioning::{
    Provisioning, ProvisioningKey, ProvisioningRequest, REQUESTS_KEPT,
};
use crate::error::CoreError;
use crate::permission::Permission;
use crate::principal::{Credential, Principal};
use crate::services::{Core, now};
use crate::store::rows::ApiKeyRow;
use crate::store::{with_db, with_tx};

/// What a provider's key may do: users, and groups (roles) when it manages them too.
pub fn provisioning_permissions(groups: bool) -> Vec<Permission> {
    let mut permissions = vec![
        Permission::UsersRead,
        Permission::UsersCreate,
        Permission::UsersUpdate,
        Permission::UsersDelete,
    ];
    if groups {
        permissions.extend([
            Permission::RolesRead,
            Permission::RolesCreate,
            Permission::RolesUpdate,
            Permission::RolesDelete,
        ]);
    }
    permissions
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    key_uuid: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    method: String,
    path: String,
    status: i32,
}

impl Core {
    /// Makes the caller a key for `provider`, signed in and in person like every key, holding
    /// what provisioning needs and never more than the caller may use.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_provisioning_key(
        &self,
        principal: &Principal,
        provider: Label,
        groups: bool,
    ) -> Result<CreatedApiKey, CoreError> {
        let input = NewApiKey {
            name: provider.clone(),
            admin_permissions: provisioning_permissions(groups),
            expires: None,
        };
        let mut tx = self.write(principal).await?;
        let created = create_api_key_in(&mut tx, principal, input).await?;
        with_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO provisioning_keys (key_uuid, provider) VALUES ($1, $2)")
                .bind(created.api_key.uuid)
                .bind(provider.as_str())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        tx.commit().await?;
        Ok(created)
    }

    /// The provisioning page: where providers connect, and the caller's keys.
    pub async fn provisioning(&self, principal: &Principal) -> Result<Provisioning, CoreError> {
        Ok(Provisioning {
            base_url: self.provisioning_base_url(),
            keys: self.provisioning_keys(principal).await?,
        })
    }

    /// The caller's provisioning keys, newest first, each with its last requests.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn provisioning_keys(
        &self,
        principal: &Principal,
    ) -> Result<Vec<ProvisioningKey>, CoreError> {
        principal.require_session()?;
        let sql = format!(
            "SELECT k.uuid, k.user_uuid, k.name, k.key_start, k.key_hash, k.admin_permissions, \
             k.expires, k.created, p.provider FROM ({API_KEY_SELECT}) k \
             JOIN provisioning_keys p ON p.key_uuid = k.uuid \
             WHERE k.user_uuid = $1 ORDER BY k.created DESC, k.uuid"
        );
        let keys = with_db!(&self.db, pool => {
            sqlx::query_as::<_, KeyWithProvider>(&sql)
                .bind(principal.user.uuid)
                .fetch_all(pool)
                .await
        })?;
        let requests = with_db!(&self.db, pool => {
            sqlx::query_as::<_, RequestRow>(
                "SELECT q.key_uuid, q.at, q.method, q.path, q.status \
                 FROM provisioning_requests q JOIN api_keys k ON k.uuid = q.key_uuid \
                 WHERE k.user_uuid = $1 ORDER BY q.at DESC, q.uuid",
            )
            .bind(principal.user.uuid)
            .fetch_all(pool)
            .await
        })?;
        Ok(keys
            .into_iter()
            .map(|row| {
                let key = ApiKey::from(row.key);
                let requests = requests
                    .iter()
                    .filter(|r| r.key_uuid == key.uuid)
                    .map(|r| ProvisioningRequest {
                        at: r.at,
                        method: r.method.clone(),
                        path: r.path.clone(),
                        status: u16::try_from(r.status).unwrap_or_default(),
                    })
                    .collect();
                ProvisioningKey {
                    key,
                    provider: row.provider,
                    requests,
                }
            })
            .collect())
    }

    /// Notes a request a key made to the provisioning door, keeping the last
    /// [`REQUESTS_KEPT`] per key. Done after the reply, off the request's path.
    pub fn note_provisioning_request(
        &self,
        principal: &Principal,
        method: String,
        path: String,
        status: u16,
    ) {
        let Credential::ApiKey { key_uuid, .. } = principal.credential else {
            return;
        };
        let core = self.clone();
        let at = now();
        self.deferred.spawn(async move {
            if let Err(error) = core
                .record_request(key_uuid, at, method, path, status)
                .await
            {
                tracing::warn!(%error, "a provisioning request was not noted");
            }
        });
    }

    async fn record_request(
        &self,
        key: Uuid,
        at: chrono::DateTime<chrono::Utc>,
        method: String,
        path: String,
        status: u16,
    ) -> Result<(), CoreError> {
        let mut tx = self.upkeep().await?;
        // One key's notes are trimmed one at a time, so that the last ones stay exactly.
        let lock = format!(
            "SELECT uuid FROM api_keys WHERE uuid = $1{}",
            crate::store::dialect::lock_row(tx.backend())
        );
        with_tx!(&mut tx, conn => {
            sqlx::query(&lock).bind(key).fetch_optional(conn).await.map(|_| ())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO provisioning_requests (uuid, key_uuid, at, method, path, status) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::new_v4())
            .bind(key)
            .bind(at)
            .bind(&method)
            .bind(&path)
            .bind(i32::from(status))
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "DELETE FROM provisioning_requests WHERE key_uuid = $1 AND uuid NOT IN \
                 (SELECT uuid FROM provisioning_requests WHERE key_uuid = $1 \
                  ORDER BY at DESC, uuid LIMIT $2)",
            )
            .bind(key)
            .bind(REQUESTS_KEPT)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        tx.commit().await
    }
}

#[derive(sqlx::FromRow)]
struct KeyWithProvider {
    #[sqlx(flatten)]
    key: ApiKeyRow,
    provider: String,
}
