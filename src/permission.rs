use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An admin permission. String forms (`users.read`) exist only at the wire.
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
];

impl Permission {
    /// Every permission, in catalogue order.
    pub const ALL: &'static [Permission] = <Permission as strum::VariantArray>::VARIANTS;

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
            Permission::RolesRead => "List and view roles.",
            Permission::RolesCreate => "Create roles.",
            Permission::RolesUpdate => "Change roles and their permissions.",
            Permission::RolesDelete => "Delete roles.",
            Permission::ServersRead => "List and view servers.",
            Permission::ServersCreate => "Create servers.",
            Permission::ServersUpdate => "Rename servers and transfer them to another owner.",
            Permission::ServersDelete => "Delete servers.",
            Permission::ActivityRead => "Read the activity log of every change.",
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
        Permission::ALL
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

/// A permission is its dotted name on the wire, one of the catalogue's.
#[cfg(feature = "server")]
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
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
        for &permission in Permission::ALL {
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
    fn parse_list_rejects_unknown_names() {
        let names = vec!["users.read".to_owned(), "users.fly".to_owned()];
        assert_eq!(
            Permission::parse_list(&names),
            Err("unknown permission `users.fly`".to_owned())
        );
    }
}
