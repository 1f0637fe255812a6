//! Rows as both backends return them, and their conversion into domain values.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::api_key::ApiKey;
use crate::domain::role::Role;
use crate::domain::server::Server;
use crate::domain::user::User;
use crate::permission::Permission;

/// The columns of [`UserRow`], from `users u LEFT JOIN roles r`.
pub const USER_COLUMNS: &str = "u.uuid, u.external_id, u.username, u.email, u.name_first, \
    u.name_last, u.password_hash IS NOT NULL AS has_password, u.admin, u.totp_enabled, \
    u.language, u.created, u.suspended, u.last_login, u.frozen, u.toast_position, \
    u.start_on_grouped_servers, u.totp_last_step, r.uuid AS role_uuid, r.name AS role_name, \
    r.description AS role_description, r.admin_permissions AS role_admin_permissions, \
    r.require_two_factor AS role_require_two_factor, \
    r.created AS role_created";

pub const USER_FROM: &str = "users u LEFT JOIN roles r ON r.uuid = u.role_uuid";

#[derive(sqlx::FromRow)]
pub struct UserRow {
    uuid: Uuid,
    external_id: Option<String>,
    username: String,
    email: String,
    name_first: String,
    name_last: String,
    has_password: bool,
    admin: bool,
    totp_enabled: bool,
    language: String,
    created: DateTime<Utc>,
    suspended: bool,
    last_login: Option<DateTime<Utc>>,
    frozen: bool,
    toast_position: String,
    start_on_grouped_servers: bool,
    totp_last_step: Option<i64>,
    role_uuid: Option<Uuid>,
    role_name: Option<String>,
    role_description: Option<String>,
    role_admin_permissions: Option<String>,
    role_require_two_factor: Option<bool>,
    role_created: Option<DateTime<Utc>>,
}

/// Permissions are stored as a JSON array of wire names; a name this build does not know (a
/// newer version wrote it) is skipped rather than failing the whole read.
pub fn decode_permissions(json: &str) -> Vec<Permission> {
    let names: Vec<String> = serde_json::from_str(json).unwrap_or_default();
    let mut permissions: Vec<Permission> = names.iter().filter_map(|n| n.parse().ok()).collect();
    permissions.sort();
    permissions.dedup();
    permissions
}

pub fn encode_permissions(permissions: &[Permission]) -> String {
    let names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        let role = match (row.role_uuid, row.role_name, row.role_created) {
            (Some(uuid), Some(name), Some(created)) => Some(Role {
                uuid,
                name,
                description: row.role_description,
                admin_permissions: decode_permissions(
                    row.role_admin_permissions.as_deref().unwrap_or("[]"),
                ),
                require_two_factor: row.role_require_two_factor.unwrap_or(false),
                created,
            }),
            _ => None,
        };
        User {
            uuid: row.uuid,
            external_id: row.external_id,
            username: row.username,
            require_two_factor: role.as_ref().is_some_and(|role| role.require_two_factor),
            role,
            avatar: None,
            email: row.email,
            name_first: row.name_first,
            name_last: row.name_last,
            admin: row.admin,
            frozen: row.frozen,
            suspended: row.suspended,
            totp_enabled: row.totp_enabled,
            // A code's time step is 30 s long; its start is when it was last used, to the step.
            totp_last_used: row
                .totp_last_step
                .and_then(|step| DateTime::from_timestamp(step.saturating_mul(30), 0)),
            language: row.language,
            // The database admits only the six positions.
            toast_position: row.toast_position.parse().unwrap_or_default(),
            start_on_grouped_servers: row.start_on_grouped_servers,
            has_password: row.has_password,
            created: row.created,
            last_login: row.last_login,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct RoleRow {
    uuid: Uuid,
    name: String,
    description: Option<String>,
    admin_permissions: String,
    require_two_factor: bool,
    created: DateTime<Utc>,
}

impl From<RoleRow> for Role {
    fn from(row: RoleRow) -> Self {
        Role {
            uuid: row.uuid,
            name: row.name,
            description: row.description,
            admin_permissions: decode_permissions(&row.admin_permissions),
            require_two_factor: row.require_two_factor,
            created: row.created,
        }
    }
}

pub const SERVER_SELECT: &str = "SELECT s.uuid, s.name, s.owner_uuid, o.username AS owner_username, \
    s.created FROM servers s JOIN users o ON o.uuid = s.owner_uuid";

#[derive(sqlx::FromRow)]
pub struct ServerRow {
    uuid: Uuid,
    name: String,
    owner_uuid: Uuid,
    owner_username: String,
    created: DateTime<Utc>,
}

impl From<ServerRow> for Server {
    fn from(row: ServerRow) -> Self {
        Server {
            uuid: row.uuid,
            name: row.name,
            owner_uuid: row.owner_uuid,
            owner_username: row.owner_username,
            created: row.created,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct ApiKeyRow {
    pub uuid: Uuid,
    pub user_uuid: Uuid,
    pub name: String,
    key_start: String,
    pub key_hash: String,
    admin_permissions: String,
    pub expires: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
}

impl ApiKeyRow {
    pub fn scope(&self) -> Vec<Permission> {
        decode_permissions(&self.admin_permissions)
    }
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        ApiKey {
            admin_permissions: decode_permissions(&row.admin_permissions),
            uuid: row.uuid,
            name: row.name,
            key_start: row.key_start,
            expires: row.expires,
            created: row.created,
        }
    }
}
