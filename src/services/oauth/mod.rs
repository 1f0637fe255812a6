//! OAuth providers, their claim mappings and users' links to them, administered as Calagopus
//! does. A provider's client secret is written and used, never read back by anyone.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

mod sign_in;

pub use sign_in::{OAuthOutcome, OAuthStart};

use super::activity::{Changes, Target};
use super::write::Write;
use super::{Core, delete_by_uuid, now, page_of, unique_as};
use crate::domain::activity::Event;
use crate::domain::oauth::{
    LinkedProvider, Mapping, MappingInput, Matcher, NewOAuthLink, NewOAuthProvider, OAuthLink,
    OAuthMapping, OAuthProvider, OAuthProviderPatch, ProviderLink, ProviderSettings,
};
use crate::domain::page::{ListQuery, Page};
use crate::error::{Conflict, CoreError, Entity, Refusal};
use crate::permission::Permission;
use crate::principal::Principal;
use crate::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use crate::store::{Tx, dialect, with_db, with_tx};

const PROVIDER_SELECT: &str = "SELECT uuid, name, description, client_id, auth_url, token_url, \
    info_url, scopes, identifier_path, email_path, username_path, name_first_path, \
    name_last_path, enabled, login_only, login_bypass_two_factor, link_viewable, \
    user_manageable, basic_auth, issuer, created FROM oauth_providers";

#[derive(sqlx::FromRow)]
struct ProviderRow {
    uuid: Uuid,
    name: String,
    description: Option<String>,
    client_id: String,
    auth_url: String,
    token_url: String,
    info_url: String,
    scopes: String,
    identifier_path: String,
    email_path: Option<String>,
    username_path: Option<String>,
    name_first_path: Option<String>,
    name_last_path: Option<String>,
    enabled: bool,
    login_only: bool,
    login_bypass_two_factor: bool,
    link_viewable: bool,
    user_manageable: bool,
    basic_auth: bool,
    issuer: Option<String>,
    created: DateTime<Utc>,
}

impl From<ProviderRow> for OAuthProvider {
    fn from(row: ProviderRow) -> Self {
        OAuthProvider {
            uuid: row.uuid,
            name: row.name,
            description: row.description,
            client_id: row.client_id,
            client_secret: None,
            auth_url: row.auth_url,
            token_url: row.token_url,
            info_url: row.info_url,
            scopes: serde_json::from_str(&row.scopes).unwrap_or_default(),
            identifier_path: row.identifier_path,
            email_path: row.email_path,
            username_path: row.username_path,
            name_first_path: row.name_first_path,
            name_last_path: row.name_last_path,
            enabled: row.enabled,
            login_only: row.login_only,
            login_bypass_two_factor: row.login_bypass_two_factor,
            link_viewable: row.link_viewable,
            user_manageable: row.user_manageable,
            basic_auth: row.basic_auth,
            issuer: row.issuer,
            created: row.created,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MappingRow {
    uuid: Uuid,
    matcher: String,
    mapping: String,
    created: DateTime<Utc>,
}

impl TryFrom<MappingRow> for OAuthMapping {
    type Error = CoreError;

    fn try_from(row: MappingRow) -> Result<Self, CoreError> {
        Ok(OAuthMapping {
            uuid: row.uuid,
            matcher: serde_json::from_str(&row.matcher).map_err(CoreError::internal)?,
            mapping: serde_json::from_str(&row.mapping).map_err(CoreError::internal)?,
            created: row.created,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    uuid: Uuid,
    identifier: String,
    last_used: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
    provider_uuid: Uuid,
    provider_name: String,
    link_viewable: bool,
    user_manageable: bool,
}

impl From<LinkRow> for OAuthLink {
    fn from(row: LinkRow) -> Self {
        OAuthLink {
            uuid: row.uuid,
            oauth_provider: LinkedProvider {
                uuid: row.provider_uuid,
                name: row.provider_name,
                link_viewable: row.link_viewable,
                user_manageable: row.user_manageable,
            },
            identifier: row.identifier,
            last_used: row.last_used,
            created: row.created,
        }
    }
}

const LINK_SELECT: &str = "SELECT l.uuid, l.identifier, l.last_used, l.created, \
    p.uuid AS provider_uuid, p.name AS provider_name, p.link_viewable, p.user_manageable \
    FROM user_oauth_links l JOIN oauth_providers p ON p.uuid = l.oauth_provider_uuid";

/// A provider as the log keeps it: every setting, never the secret.
fn provider_snapshot(settings: &ProviderSettings) -> Value {
    json!({
        "name": settings.name,
        "description": settings.description,
        "enabled": settings.enabled,
        "login_only": settings.login_only,
        "login_bypass_two_factor": settings.login_bypass_two_factor,
        "link_viewable": settings.link_viewable,
        "user_manageable": settings.user_manageable,
        "basic_auth": settings.basic_auth,
        "client_id": settings.client_id,
        "auth_url": settings.auth_url,
        "token_url": settings.token_url,
        "info_url": settings.info_url,
        "scopes": settings.scopes,
        "identifier_path": settings.identifier_path,
        "email_path": settings.email_path,
        "username_path": settings.username_path,
        "name_first_path": settings.name_first_path,
        "name_last_path": settings.name_last_path,
        "issuer": settings.issuer,
    })
}

fn mapping_snapshot(mapping: &OAuthMapping) -> Value {
    json!({ "uuid": mapping.uuid, "matcher": mapping.matcher, "mapping": mapping.mapping })
}

pub(crate) fn link_snapshot(link: &OAuthLink) -> Value {
    json!({
        "uuid": link.uuid,
        "oauth_provider": { "uuid": link.oauth_provider.uuid, "name": link.oauth_provider.name },
        "identifier": link.identifier,
    })
}

async fn provider_in(tx: &mut Tx, uuid: Uuid) -> Result<OAuthProvider, CoreError> {
    let sql = format!(
        "{PROVIDER_SELECT} WHERE uuid = $1{}",
        dialect::lock_row(tx.backend())
    );
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, ProviderRow>(&sql).bind(uuid).fetch_optional(conn).await
    })?;
    row.map(OAuthProvider::from)
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::OAuthProvider)))
}

/// One mapping of one provider, by `$1` the mapping and `$2` the provider.
const MAPPING_BY_UUID: &str = "SELECT uuid, matcher, mapping, created FROM oauth_provider_mappings \
    WHERE uuid = $1 AND oauth_provider_uuid = $2";

fn found_mapping(row: Option<MappingRow>) -> Result<OAuthMapping, CoreError> {
    row.ok_or(CoreError::Refused(Refusal::NotFound(Entity::OAuthMapping)))?
        .try_into()
}

async fn mapping_in(tx: &mut Tx, provider: Uuid, uuid: Uuid) -> Result<OAuthMapping, CoreError> {
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, MappingRow>(MAPPING_BY_UUID).bind(uuid).bind(provider).fetch_optional(conn).await
    })?;
    found_mapping(row)
}

/// One link of one user, by `$1` the link and `$2` the user.
fn link_by_uuid() -> String {
    format!("{LINK_SELECT} WHERE l.uuid = $1 AND l.user_uuid = $2")
}

fn found_link(row: Option<LinkRow>) -> Result<OAuthLink, CoreError> {
    row.map(OAuthLink::from)
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::OAuthLink)))
}

async fn link_in(tx: &mut Tx, user: Uuid, uuid: Uuid) -> Result<OAuthLink, CoreError> {
    let sql = link_by_uuid();
    let row = with_tx!(tx, conn => {
        sqlx::query_as::<_, LinkRow>(&sql).bind(uuid).bind(user).fetch_optional(conn).await
    })?;
    found_link(row)
}

/// A mapping hands its role to whoever signs in matching it: nobody configures a role they could
/// not hand out themselves, and the role must exist.
async fn require_mapping_authority(
    tx: &mut Tx,
    principal: &Principal,
    mapping: &Mapping,
) -> Result<(), CoreError> {
    let Mapping::Role { role_uuid, .. } = mapping;
    let role = super::roles::role_in(tx, *role_uuid)
        .await?
        .ok_or_else(|| CoreError::invalid_field("mapping", "role_uuid names no role"))?;
    principal.require_all(&role.admin_permissions)
}

impl Core {
    /// Links `user` to `identifier` at `provider` inside `tx`, used now or not yet; answers the
    /// link. A provider holds one identity per user and one user per identity: a clash is
    /// `Conflict::OAuthLink`.
    pub(crate) async fn insert_link(
        &self,
        tx: &mut Write<'_>,
        provider: Uuid,
        user: Uuid,
        identifier: &str,
        used: bool,
    ) -> Result<OAuthLink, CoreError> {
        let uuid = Uuid::new_v4();
        let created = now();
        with_tx!(&mut *tx, conn => {
            sqlx::query(
                "INSERT INTO user_oauth_links (uuid, user_uuid, oauth_provider_uuid, identifier, \
                 created, last_used) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid)
            .bind(user)
            .bind(provider)
            .bind(identifier)
            .bind(created)
            .bind(used.then_some(created))
            .execute(conn)
            .await
            .map(|_| ())
        })
        .map_err(unique_as(Conflict::OAuthLink))?;
        link_in(tx, user, uuid).await
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_oauth_providers(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<OAuthProvider>, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        let filter = match &query.search {
            Some(_) => format!("WHERE {}", dialect::contains_ci(self.backend(), "name", 1)),
            None => String::new(),
        };
        let count_sql = format!("SELECT count(*) FROM oauth_providers {filter}");
        let page_sql = format!(
            "{PROVIDER_SELECT} {filter} ORDER BY created, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        page_of::<ProviderRow, OAuthProvider>(self, &count_sql, &page_sql, None, &query).await
    }

    async fn find_oauth_provider(&self, uuid: Uuid) -> Result<OAuthProvider, CoreError> {
        let sql = format!("{PROVIDER_SELECT} WHERE uuid = $1");
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ProviderRow>(&sql).bind(uuid).fetch_optional(pool).await
        })?;
        row.map(OAuthProvider::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::OAuthProvider)))
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_oauth_provider(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<OAuthProvider, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        self.find_oauth_provider(uuid).await
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_oauth_provider(
        &self,
        principal: &Principal,
        input: NewOAuthProvider,
    ) -> Result<OAuthProvider, CoreError> {
        principal.require(Permission::OauthProvidersCreate)?;
        let uuid = Uuid::new_v4();
        let mut tx = self.write(principal).await?;
        write_provider(
            &mut tx,
            uuid,
            &input.settings,
            Some(&input.client_secret),
            true,
        )
        .await?;
        let created = provider_in(&mut tx, uuid).await?;
        let changes =
            Changes::created(provider_snapshot(&input.settings)).secret_changed("client_secret");
        tx.record(
            Event::OAuthProviderCreate,
            Some(Target::oauth_provider(&created)),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_oauth_provider(
        &self,
        principal: &Principal,
        uuid: Uuid,
        patch: OAuthProviderPatch,
    ) -> Result<OAuthProvider, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::OauthProvidersUpdate)?;
        let mut tx = self.write(principal).await?;
        let current = provider_in(&mut tx, uuid).await?;
        let before = ProviderSettings::of(&current);
        let (settings, secret) = patch.apply(before.clone());
        write_provider(&mut tx, uuid, &settings, secret.as_deref(), false).await?;
        let updated = provider_in(&mut tx, uuid).await?;
        let mut changes =
            Changes::between(provider_snapshot(&before), provider_snapshot(&settings));
        if secret.is_some() {
            changes = changes.secret_changed("client_secret");
        }
        tx.record(
            Event::OAuthProviderUpdate,
            Some(Target::oauth_provider(&updated)),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Deletes a provider with its mappings and every user's link to it.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_oauth_provider(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::OauthProvidersDelete)?;
        let mut tx = self.write(principal).await?;
        let current = provider_in(&mut tx, uuid).await?;
        let changes = Changes::deleted(provider_snapshot(&ProviderSettings::of(&current)));
        tx.record(
            Event::OAuthProviderDelete,
            Some(Target::oauth_provider(&current)),
            changes,
        )
        .await?;
        delete_by_uuid(&mut tx, "oauth_providers", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_oauth_mappings(
        &self,
        principal: &Principal,
        provider: Uuid,
        query: ListQuery,
    ) -> Result<Page<OAuthMapping>, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        self.find_oauth_provider(provider).await?;
        let page_sql = format!(
            "SELECT uuid, matcher, mapping, created FROM oauth_provider_mappings \
             WHERE oauth_provider_uuid = $1 ORDER BY created, uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let total = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM oauth_provider_mappings WHERE oauth_provider_uuid = $1",
            )
            .bind(provider)
            .fetch_one(pool)
            .await
        })?;
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, MappingRow>(&page_sql).bind(provider).fetch_all(pool).await
        })?;
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data: rows
                .into_iter()
                .map(OAuthMapping::try_from)
                .collect::<Result<_, _>>()?,
        })
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_oauth_mapping(
        &self,
        principal: &Principal,
        provider: Uuid,
        uuid: Uuid,
    ) -> Result<OAuthMapping, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        self.find_oauth_provider(provider).await?;
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, MappingRow>(MAPPING_BY_UUID).bind(uuid).bind(provider).fetch_optional(pool).await
        })?;
        found_mapping(row)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_oauth_mapping(
        &self,
        principal: &Principal,
        provider: Uuid,
        input: MappingInput,
    ) -> Result<OAuthMapping, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::OauthProvidersUpdate)?;
        let (Some(matcher), Some(mapping)) = (input.matcher, input.mapping) else {
            return Err(CoreError::invalid_field("mapping", "is required"));
        };
        let mut tx = self.write(principal).await?;
        let owner = provider_in(&mut tx, provider).await?;
        require_mapping_authority(&mut tx, principal, &mapping).await?;
        let uuid = Uuid::new_v4();
        let (matcher_text, mapping_text) = encode_mapping(&matcher, &mapping)?;
        with_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO oauth_provider_mappings (uuid, oauth_provider_uuid, matcher, mapping, \
                 created) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(uuid)
            .bind(provider)
            .bind(matcher_text.as_str())
            .bind(mapping_text.as_str())
            .bind(now())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let created = mapping_in(&mut tx, provider, uuid).await?;
        let changes = Changes::created(json!({ "mapping": mapping_snapshot(&created) }));
        tx.record(
            Event::OAuthMappingCreate,
            Some(Target::oauth_provider(&owner)),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn update_oauth_mapping(
        &self,
        principal: &Principal,
        provider: Uuid,
        uuid: Uuid,
        input: MappingInput,
    ) -> Result<OAuthMapping, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::OauthProvidersUpdate)?;
        let mut tx = self.write(principal).await?;
        let owner = provider_in(&mut tx, provider).await?;
        let current = mapping_in(&mut tx, provider, uuid).await?;
        // Both the role handed out before and the one after are the caller's to hand out.
        require_mapping_authority(&mut tx, principal, &current.mapping).await?;
        let matcher = input.matcher.unwrap_or_else(|| current.matcher.clone());
        let mapping = input.mapping.unwrap_or_else(|| current.mapping.clone());
        require_mapping_authority(&mut tx, principal, &mapping).await?;
        let (matcher_text, mapping_text) = encode_mapping(&matcher, &mapping)?;
        with_tx!(&mut tx, conn => {
            sqlx::query("UPDATE oauth_provider_mappings SET matcher = $2, mapping = $3 WHERE uuid = $1")
                .bind(uuid)
                .bind(matcher_text.as_str())
                .bind(mapping_text.as_str())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let updated = mapping_in(&mut tx, provider, uuid).await?;
        let changes = Changes::between(
            json!({ "mapping": mapping_snapshot(&current) }),
            json!({ "mapping": mapping_snapshot(&updated) }),
        );
        tx.record(
            Event::OAuthMappingUpdate,
            Some(Target::oauth_provider(&owner)),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_oauth_mapping(
        &self,
        principal: &Principal,
        provider: Uuid,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::OauthProvidersUpdate)?;
        let mut tx = self.write(principal).await?;
        let owner = provider_in(&mut tx, provider).await?;
        let current = mapping_in(&mut tx, provider, uuid).await?;
        require_mapping_authority(&mut tx, principal, &current.mapping).await?;
        let changes = Changes::deleted(json!({ "mapping": mapping_snapshot(&current) }));
        tx.record(
            Event::OAuthMappingDelete,
            Some(Target::oauth_provider(&owner)),
            changes,
        )
        .await?;
        delete_by_uuid(&mut tx, "oauth_provider_mappings", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A provider's links with their users, `search` matching the identifier
    /// (`oauth-providers.read` and `users.read`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_provider_links(
        &self,
        principal: &Principal,
        provider: Uuid,
        query: ListQuery,
    ) -> Result<Page<ProviderLink>, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::UsersRead)?;
        self.find_oauth_provider(provider).await?;
        let filter = match &query.search {
            Some(_) => format!(
                "AND {}",
                dialect::contains_ci(self.backend(), "l.identifier", 2)
            ),
            None => String::new(),
        };
        let count_sql = format!(
            "SELECT count(*) FROM user_oauth_links l WHERE l.oauth_provider_uuid = $1 {filter}"
        );
        let page_sql = format!(
            "SELECT l.uuid AS link_uuid, l.identifier, l.last_used, l.created AS link_created, \
             {USER_COLUMNS} FROM {USER_FROM} JOIN user_oauth_links l ON l.user_uuid = u.uuid \
             WHERE l.oauth_provider_uuid = $1 {filter} ORDER BY l.created, l.uuid LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        page_of::<ProviderLinkRow, ProviderLink>(
            self,
            &count_sql,
            &page_sql,
            Some(provider),
            &query,
        )
        .await
    }

    /// The link a provider's identity has, with its user: how Paymenter finds a customer
    /// (`oauth-providers.read` and `users.read`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn find_provider_link(
        &self,
        principal: &Principal,
        provider: Uuid,
        identifier: &str,
    ) -> Result<ProviderLink, CoreError> {
        principal.require(Permission::OauthProvidersRead)?;
        principal.require(Permission::UsersRead)?;
        self.find_oauth_provider(provider).await?;
        let sql = format!(
            "SELECT l.uuid AS link_uuid, l.identifier, l.last_used, l.created AS link_created, \
             {USER_COLUMNS} FROM {USER_FROM} JOIN user_oauth_links l ON l.user_uuid = u.uuid \
             WHERE l.oauth_provider_uuid = $1 AND l.identifier = $2"
        );
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, ProviderLinkRow>(&sql)
                .bind(provider)
                .bind(identifier)
                .fetch_optional(pool)
                .await
        })?;
        row.map(ProviderLink::from)
            .ok_or(CoreError::Refused(Refusal::NotFound(Entity::UserOAuthLink)))
    }

    /// A user's links, `search` matching the identifier (`users.oauth-links`, with authority
    /// over the user).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_user_oauth_links(
        &self,
        principal: &Principal,
        user: Uuid,
        query: ListQuery,
    ) -> Result<Page<OAuthLink>, CoreError> {
        let user = self
            .user_under_authority(principal, user, Permission::UsersOauthLinks)
            .await?;
        self.page_links(user.uuid, query, false).await
    }

    /// The links a user sees on their own account: those of providers that show them.
    pub(crate) async fn page_links(
        &self,
        user: Uuid,
        query: ListQuery,
        viewable_only: bool,
    ) -> Result<Page<OAuthLink>, CoreError> {
        let mut filter = String::new();
        if viewable_only {
            filter.push_str(" AND p.link_viewable = TRUE");
        }
        if query.search.is_some() {
            filter.push_str(&format!(
                " AND {}",
                dialect::contains_ci(self.backend(), "l.identifier", 2)
            ));
        }
        let count_sql = format!(
            "SELECT count(*) FROM user_oauth_links l JOIN oauth_providers p \
             ON p.uuid = l.oauth_provider_uuid WHERE l.user_uuid = $1{filter}"
        );
        let page_sql = format!(
            "{LINK_SELECT} WHERE l.user_uuid = $1{filter} ORDER BY l.created, l.uuid \
             LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        page_of::<LinkRow, OAuthLink>(self, &count_sql, &page_sql, Some(user), &query).await
    }

    /// The caller's own links, to the providers that show them (`link_viewable`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_own_oauth_links(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<OAuthLink>, CoreError> {
        self.page_links(principal.user.uuid, query, true).await
    }

    /// The caller unlinks a provider from their own account, in person; never the last way
    /// they can sign in.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_own_oauth_link(
        &self,
        principal: &Principal,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let user = principal.user.uuid;
        let mut tx = self.write(principal).await?;
        let link = link_in(&mut tx, user, uuid).await?;
        let others = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM user_oauth_links WHERE user_uuid = $1 AND uuid <> $2",
            )
            .bind(user)
            .bind(uuid)
            .fetch_one(conn)
            .await
        })?;
        // A password or a registered passkey is another way in.
        let has_password = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, bool>(
                "SELECT password_hash IS NOT NULL OR EXISTS (SELECT 1 FROM user_security_keys k \
                 WHERE k.user_uuid = users.uuid AND k.passkey IS NOT NULL) FROM users WHERE uuid = $1",
            )
            .bind(user)
            .fetch_one(conn)
            .await
        })?;
        if others == 0 && !has_password {
            return Err(CoreError::Refused(Refusal::OAuth(
                crate::error::OAuthRefusal::LastSignIn,
            )));
        }
        let changes = Changes::deleted(json!({ "oauth_link": link_snapshot(&link) }));
        tx.record(
            Event::AccountOAuthLinkDelete,
            Some(Target::user(&principal.user)),
            changes,
        )
        .await?;
        delete_by_uuid(&mut tx, "user_oauth_links", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn get_user_oauth_link(
        &self,
        principal: &Principal,
        user: Uuid,
        uuid: Uuid,
    ) -> Result<OAuthLink, CoreError> {
        let user = self
            .user_under_authority(principal, user, Permission::UsersOauthLinks)
            .await?;
        let sql = link_by_uuid();
        let row = with_db!(&self.db, pool => {
            sqlx::query_as::<_, LinkRow>(&sql).bind(uuid).bind(user.uuid).fetch_optional(pool).await
        })?;
        found_link(row)
    }

    /// Links a user to an identity at a provider, enabled or not (`users.oauth-links`, with
    /// authority over the user). A provider holds one identity per user and one user per
    /// identity.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn create_user_oauth_link(
        &self,
        principal: &Principal,
        user: Uuid,
        input: NewOAuthLink,
    ) -> Result<OAuthLink, CoreError> {
        let user = self
            .user_under_authority(principal, user, Permission::UsersOauthLinks)
            .await?;
        let mut tx = self.write(principal).await?;
        provider_in(&mut tx, input.provider).await?;
        let link = self
            .insert_link(&mut tx, input.provider, user.uuid, &input.identifier, false)
            .await?;
        let changes = Changes::created(json!({ "oauth_link": link_snapshot(&link) }));
        tx.record(
            Event::UserOAuthLinkCreate,
            Some(Target::user(&user)),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(link)
    }

    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn delete_user_oauth_link(
        &self,
        principal: &Principal,
        user: Uuid,
        uuid: Uuid,
    ) -> Result<(), CoreError> {
        let user = self
            .user_under_authority(principal, user, Permission::UsersOauthLinks)
            .await?;
        let mut tx = self.write(principal).await?;
        let link = link_in(&mut tx, user.uuid, uuid).await?;
        let changes = Changes::deleted(json!({ "oauth_link": link_snapshot(&link) }));
        tx.record(
            Event::UserOAuthLinkDelete,
            Some(Target::user(&user)),
            changes,
        )
        .await?;
        delete_by_uuid(&mut tx, "user_oauth_links", uuid).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn encode_mapping(matcher: &Matcher, mapping: &Mapping) -> Result<(String, String), CoreError> {
    Ok((
        serde_json::to_string(matcher).map_err(CoreError::internal)?,
        serde_json::to_string(mapping).map_err(CoreError::internal)?,
    ))
}

/// Binds a provider's uuid, settings, secret and issuer as `$1..=$21`, in the order of the columns of
/// [`write_provider`]'s statements.
macro_rules! bind_provider {
    ($query:expr, $uuid:expr, $settings:expr, $scopes:expr, $secret:expr) => {{
        let settings = $settings;
        $query
            .bind($uuid)
            .bind(settings.name.as_str())
            .bind(settings.description.as_deref())
            .bind(settings.client_id.as_str())
            .bind(settings.auth_url.as_str())
            .bind(settings.token_url.as_str())
            .bind(settings.info_url.as_str())
            .bind($scopes)
            .bind(settings.identifier_path.as_str())
            .bind(settings.email_path.as_deref())
            .bind(settings.username_path.as_deref())
            .bind(settings.name_first_path.as_deref())
            .bind(settings.name_last_path.as_deref())
            .bind(settings.enabled)
            .bind(settings.login_only)
            .bind(settings.login_bypass_two_factor)
            .bind(settings.link_viewable)
            .bind(settings.user_manageable)
            .bind(settings.basic_auth)
            .bind($secret)
            .bind(settings.issuer.as_deref())
    }};
}

/// Inserts a provider, or updates its settings (and its secret, when one is given).
async fn write_provider(
    tx: &mut Tx,
    uuid: Uuid,
    settings: &ProviderSettings,
    secret: Option<&str>,
    insert: bool,
) -> Result<(), CoreError> {
    let scopes = serde_json::to_string(&settings.scopes).map_err(CoreError::internal)?;
    let scopes = scopes.as_str();
    if insert {
        let sql = "INSERT INTO oauth_providers (uuid, name, description, client_id, auth_url, \
             token_url, info_url, scopes, identifier_path, email_path, username_path, \
             name_first_path, name_last_path, enabled, login_only, login_bypass_two_factor, \
             link_viewable, user_manageable, basic_auth, client_secret, issuer, created) VALUES ($1, \
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22)";
        let created = now();
        with_tx!(tx, conn => {
            bind_provider!(sqlx::query(sql), uuid, settings, scopes, secret)
                .bind(created)
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(unique_as(Conflict::OAuthProviderName))
    } else {
        let sql = "UPDATE oauth_providers SET name = $2, description = $3, client_id = $4, \
             auth_url = $5, token_url = $6, info_url = $7, scopes = $8, identifier_path = $9, \
             email_path = $10, username_path = $11, name_first_path = $12, name_last_path = $13, \
             enabled = $14, login_only = $15, login_bypass_two_factor = $16, link_viewable = $17, \
             user_manageable = $18, basic_auth = $19, \
             client_secret = COALESCE($20, client_secret), issuer = $21 WHERE uuid = $1";
        with_tx!(tx, conn => {
            bind_provider!(sqlx::query(sql), uuid, settings, scopes, secret)
                .execute(conn)
                .await
                .map(|_| ())
        })
        .map_err(unique_as(Conflict::OAuthProviderName))
    }
}

#[derive(sqlx::FromRow)]
struct ProviderLinkRow {
    link_uuid: Uuid,
    identifier: String,
    last_used: Option<DateTime<Utc>>,
    link_created: DateTime<Utc>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl From<ProviderLinkRow> for ProviderLink {
    fn from(row: ProviderLinkRow) -> Self {
        ProviderLink {
            uuid: row.link_uuid,
            user: row.user.into(),
            identifier: row.identifier,
            last_used: row.last_used,
            created: row.link_created,
        }
    }
}
