use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An admin permission. String forms (`users.read`) exist only at the wire. Every key of
/// Calagopus' admin catalogue is one, so that a role or key copied from a Calagopus panel is
/// accepted; those Roster has no function for are inert: valid, stored and returned, listed in no
/// catalogue, and granting nothing.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
pub enum Permission {
    #[strum(serialize = "users.read")]
    UsersRead,
    #[strum(serialize = "users.create")]
    UsersCreate,
    #[strum(serialize = "users.update")]
    UsersUpdate,
    #[strum(serialize = "users.delete")]
    UsersDelete,
    #[strum(serialize = "users.email")]
    UsersEmail,
    #[strum(serialize = "users.disable-two-factor")]
    UsersDisableTwoFactor,
    #[strum(serialize = "users.activity")]
    UsersActivity,
    #[strum(serialize = "users.impersonate")]
    UsersImpersonate,
    #[strum(serialize = "users.oauth-links")]
    UsersOauthLinks,
    #[strum(serialize = "roles.read")]
    RolesRead,
    #[strum(serialize = "roles.create")]
    RolesCreate,
    #[strum(serialize = "roles.update")]
    RolesUpdate,
    #[strum(serialize = "roles.delete")]
    RolesDelete,
    #[strum(serialize = "servers.read")]
    ServersRead,
    #[strum(serialize = "servers.create")]
    ServersCreate,
    #[strum(serialize = "servers.update")]
    ServersUpdate,
    #[strum(serialize = "servers.delete")]
    ServersDelete,
    #[strum(serialize = "activity.read")]
    ActivityRead,
    #[strum(serialize = "oauth-providers.read")]
    OauthProvidersRead,
    #[strum(serialize = "oauth-providers.create")]
    OauthProvidersCreate,
    #[strum(serialize = "oauth-providers.update")]
    OauthProvidersUpdate,
    #[strum(serialize = "oauth-providers.delete")]
    OauthProvidersDelete,
    #[strum(serialize = "webhooks.read")]
    WebhooksRead,
    #[strum(serialize = "webhooks.create")]
    WebhooksCreate,
    #[strum(serialize = "webhooks.update")]
    WebhooksUpdate,
    #[strum(serialize = "webhooks.delete")]
    WebhooksDelete,
    // Calagopus' admin permissions that Roster has no function for: accepted on roles and keys,
    // stored and returned, and granting nothing (`Permission::is_active`).
    #[strum(serialize = "stats.read")]
    StatsRead,
    #[strum(serialize = "settings.read")]
    SettingsRead,
    #[strum(serialize = "settings.update")]
    SettingsUpdate,
    #[strum(serialize = "email-templates.read")]
    EmailTemplatesRead,
    #[strum(serialize = "email-templates.update")]
    EmailTemplatesUpdate,
    #[strum(serialize = "extensions.read")]
    ExtensionsRead,
    #[strum(serialize = "extensions.manage")]
    ExtensionsManage,
    #[strum(serialize = "announcements.create")]
    AnnouncementsCreate,
    #[strum(serialize = "announcements.read")]
    AnnouncementsRead,
    #[strum(serialize = "announcements.update")]
    AnnouncementsUpdate,
    #[strum(serialize = "announcements.delete")]
    AnnouncementsDelete,
    #[strum(serialize = "assets.read")]
    AssetsRead,
    #[strum(serialize = "assets.upload")]
    AssetsUpload,
    #[strum(serialize = "assets.delete")]
    AssetsDelete,
    #[strum(serialize = "locations.create")]
    LocationsCreate,
    #[strum(serialize = "locations.read")]
    LocationsRead,
    #[strum(serialize = "locations.update")]
    LocationsUpdate,
    #[strum(serialize = "locations.delete")]
    LocationsDelete,
    #[strum(serialize = "locations.database-hosts")]
    LocationsDatabaseHosts,
    #[strum(serialize = "backup-configurations.create")]
    BackupConfigurationsCreate,
    #[strum(serialize = "backup-configurations.read")]
    BackupConfigurationsRead,
    #[strum(serialize = "backup-configurations.update")]
    BackupConfigurationsUpdate,
    #[strum(serialize = "backup-configurations.delete")]
    BackupConfigurationsDelete,
    #[strum(serialize = "backup-configurations.backups")]
    BackupConfigurationsBackups,
    #[strum(serialize = "nodes.create")]
    NodesCreate,
    #[strum(serialize = "nodes.read")]
    NodesRead,
    #[strum(serialize = "nodes.update")]
    NodesUpdate,
    #[strum(serialize = "nodes.delete")]
    NodesDelete,
    #[strum(serialize = "nodes.reset-token")]
    NodesResetToken,
    #[strum(serialize = "nodes.allocations")]
    NodesAllocations,
    #[strum(serialize = "nodes.mounts")]
    NodesMounts,
    #[strum(serialize = "nodes.backups")]
    NodesBackups,
    #[strum(serialize = "nodes.power")]
    NodesPower,
    #[strum(serialize = "nodes.transfers")]
    NodesTransfers,
    #[strum(serialize = "servers.transfer")]
    ServersTransfer,
    #[strum(serialize = "servers.allocations")]
    ServersAllocations,
    #[strum(serialize = "servers.variables")]
    ServersVariables,
    #[strum(serialize = "servers.mounts")]
    ServersMounts,
    #[strum(serialize = "nests.create")]
    NestsCreate,
    #[strum(serialize = "nests.read")]
    NestsRead,
    #[strum(serialize = "nests.update")]
    NestsUpdate,
    #[strum(serialize = "nests.delete")]
    NestsDelete,
    #[strum(serialize = "eggs.create")]
    EggsCreate,
    #[strum(serialize = "eggs.read")]
    EggsRead,
    #[strum(serialize = "eggs.update")]
    EggsUpdate,
    #[strum(serialize = "eggs.delete")]
    EggsDelete,
    #[strum(serialize = "eggs.mounts")]
    EggsMounts,
    #[strum(serialize = "egg-configurations.create")]
    EggConfigurationsCreate,
    #[strum(serialize = "egg-configurations.read")]
    EggConfigurationsRead,
    #[strum(serialize = "egg-configurations.update")]
    EggConfigurationsUpdate,
    #[strum(serialize = "egg-configurations.delete")]
    EggConfigurationsDelete,
    #[strum(serialize = "egg-repositories.create")]
    EggRepositoriesCreate,
    #[strum(serialize = "egg-repositories.read")]
    EggRepositoriesRead,
    #[strum(serialize = "egg-repositories.update")]
    EggRepositoriesUpdate,
    #[strum(serialize = "egg-repositories.delete")]
    EggRepositoriesDelete,
    #[strum(serialize = "egg-repositories.sync")]
    EggRepositoriesSync,
    #[strum(serialize = "database-hosts.create")]
    DatabaseHostsCreate,
    #[strum(serialize = "database-hosts.read")]
    DatabaseHostsRead,
    #[strum(serialize = "database-hosts.update")]
    DatabaseHostsUpdate,
    #[strum(serialize = "database-hosts.delete")]
    DatabaseHostsDelete,
    #[strum(serialize = "database-hosts.test")]
    DatabaseHostsTest,
    #[strum(serialize = "mounts.create")]
    MountsCreate,
    #[strum(serialize = "mounts.read")]
    MountsRead,
    #[strum(serialize = "mounts.update")]
    MountsUpdate,
    #[strum(serialize = "mounts.delete")]
    MountsDelete,
}

/// A group of the catalogue, as `GET /api/client/permissions` and the console show it.
pub struct PermissionGroup {
    pub name: &'static str,
    pub description: &'static str,
    pub permissions: &'static [Permission],
}

pub const CATALOGUE: &[PermissionGroup] = &[
    PermissionGroup {
        name: "users",
        description: "Panel accounts.",
        permissions: &[
            Permission::UsersRead,
            Permission::UsersCreate,
            Permission::UsersUpdate,
            Permission::UsersDelete,
            Permission::UsersEmail,
            Permission::UsersDisableTwoFactor,
            Permission::UsersActivity,
            Permission::UsersImpersonate,
            Permission::UsersOauthLinks,
        ],
    },
    PermissionGroup {
        name: "roles",
        description: "Roles and the admin permissions they carry.",
        permissions: &[
            Permission::RolesRead,
            Permission::RolesCreate,
            Permission::RolesUpdate,
            Permission::RolesDelete,
        ],
    },
    PermissionGroup {
        name: "servers",
        description: "Server records and who owns them.",
        permissions: &[
            Permission::ServersRead,
            Permission::ServersCreate,
            Permission::ServersUpdate,
            Permission::ServersDelete,
        ],
    },
    PermissionGroup {
        name: "activity",
        description: "The activity log of every change.",
        permissions: &[Permission::ActivityRead],
    },
    PermissionGroup {
        name: "oauth-providers",
        description: "Sign-in providers (OAuth), their claim mappings and who is linked to them.",
        permissions: &[
            Permission::OauthProvidersRead,
            Permission::OauthProvidersCreate,
            Permission::OauthProvidersUpdate,
            Permission::OauthProvidersDelete,
        ],
    },
    PermissionGroup {
        name: "webhooks",
        description: "Webhook endpoints, their secrets and their deliveries.",
        permissions: &[
            Permission::WebhooksRead,
            Permission::WebhooksCreate,
            Permission::WebhooksUpdate,
            Permission::WebhooksDelete,
        ],
    },
];

/// How many permissions the catalogue lists: those Roster has a function for.
const ACTIVE: usize = {
    let mut count = 0;
    let mut group = 0;
    while group < CATALOGUE.len() {
        count += CATALOGUE[group].permissions.len();
        group += 1;
    }
    count
};

impl Permission {
    /// Every permission Roster has a function for, in catalogue order: the variants before the
    /// inert ones, as many as the catalogue lists (a test holds the two in step).
    pub const ALL: &'static [Permission] = Permission::KNOWN.split_at(ACTIVE).0;

    /// Every permission known, the inert ones after those of [`Permission::ALL`].
    pub const KNOWN: &'static [Permission] = <Permission as strum::VariantArray>::VARIANTS;

    /// Whether Roster has a function for this permission; an inert one grants nothing.
    pub fn is_active(self) -> bool {
        Permission::ALL.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn description(self) -> &'static str {
        match self {
            Permission::UsersRead => "List, search and view users and their servers.",
            Permission::UsersCreate => "Create users.",
            Permission::UsersUpdate => "Change users' details, passwords and roles.",
            Permission::UsersDelete => "Delete users.",
            Permission::UsersEmail => "Send users mail, such as a password reset link.",
            Permission::UsersDisableTwoFactor => "Turn off a user's two-factor sign-in.",
            Permission::UsersActivity => "Read what a user did and what was done to them.",
            Permission::UsersImpersonate => {
                "Act as a user who holds no more than oneself: the Calagopus-User header, or \
                 Sign in as in the console."
            }
            Permission::RolesRead => "List and view roles.",
            Permission::RolesCreate => "Create roles.",
            Permission::RolesUpdate => "Change roles and their permissions.",
            Permission::RolesDelete => "Delete roles.",
            Permission::ServersRead => "List and view servers.",
            Permission::ServersCreate => "Create servers.",
            Permission::ServersUpdate => "Rename servers and transfer them to another owner.",
            Permission::ServersDelete => "Delete servers.",
            Permission::ActivityRead => "Read the activity log of every change.",
            Permission::UsersOauthLinks => {
                "See and change which sign-in provider identities a user is linked to."
            }
            Permission::OauthProvidersRead => {
                "List and view sign-in providers, their mappings and linked users."
            }
            Permission::OauthProvidersCreate => "Create sign-in providers.",
            Permission::OauthProvidersUpdate => {
                "Change sign-in providers and their claim mappings."
            }
            Permission::OauthProvidersDelete => "Delete sign-in providers.",
            Permission::WebhooksRead => "List webhook endpoints and their deliveries.",
            Permission::WebhooksCreate => "Create webhook endpoints.",
            Permission::WebhooksUpdate => {
                "Change webhook endpoints, rotate their secrets, send test events and resend \
                 deliveries."
            }
            Permission::WebhooksDelete => "Delete webhook endpoints.",
            _ => "Kept for Calagopus; grants nothing in Roster.",
        }
    }

    /// Parses a list of wire names, keeping the first unknown name as the error.
    pub fn parse_list(names: &[String]) -> Result<Vec<Permission>, String> {
        let mut permissions = Vec::with_capacity(names.len());
        for name in names {
            let permission = name.parse::<Permission>()?;
            if !permissions.contains(&permission) {
                permissions.push(permission);
            }
        }
        permissions.sort();
        Ok(permissions)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::KNOWN
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown permission `{s}`"))
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// A permission is its dotted name on the wire, one of the catalogue's or an inert one.
#[cfg(feature = "server")]
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Permission::KNOWN.iter().map(|p| p.as_str())))
            .into()
    }
}

#[cfg(feature = "server")]
impl utoipa::ToSchema for Permission {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_round_trips_through_its_wire_name() {
        for &permission in Permission::KNOWN {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(permission));
        }
    }

    #[test]
    fn the_catalogue_lists_every_permission_once() {
        let listed: Vec<Permission> = CATALOGUE
            .iter()
            .flat_map(|g| g.permissions.iter().copied())
            .collect();
        assert_eq!(listed, Permission::ALL.to_vec());
    }

    #[test]
    fn the_active_permissions_come_first_and_calagopus_keys_are_known() {
        assert_eq!(&Permission::KNOWN[..Permission::ALL.len()], Permission::ALL);
        assert_eq!(Permission::KNOWN.len(), 91);
        assert!(Permission::UsersImpersonate.is_active());
        for name in [
            "nests.read",
            "nodes.reset-token",
            "settings.update",
            "mounts.delete",
        ] {
            let permission = name.parse::<Permission>().unwrap();
            assert!(!permission.is_active(), "{name}");
        }
    }

    #[test]
    fn parse_list_rejects_unknown_names() {
        let names = vec!["users.read".to_owned(), "users.fly".to_owned()];
        assert_eq!(
            Permission::parse_list(&names),
            Err("unknown permission `users.fly`".to_owned())
        );
    }
}
