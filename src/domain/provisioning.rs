//! Provisioning from identity providers: the users and groups a provider pushes, the questions it
//! asks of them (a typed filter), and the requests its key made. The wire format (SCIM) is the
//! door's; these are the core's terms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{Email, ExternalId, Language, Password, PersonName, RoleName};
use super::role::Role;
use super::serde_helpers::timestamp;
use super::user::User;

/// A user as a provider sees them: the user, the name the provider knows them by, and when a
/// provisioned attribute last changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedUser {
    pub user: User,
    /// The provider's `userName`: as it was sent when it broke the username rule, else the
    /// username.
    pub user_name: String,
    #[serde(serialize_with = "timestamp")]
    pub updated: DateTime<Utc>,
}

/// A user as a provider states them, whole: creating, and replacing (a provider's partial change
/// is applied to the user as they stand first, then stated whole).
#[derive(Clone, Debug)]
pub struct ProvisionedInput {
    /// Any non-empty text of at most 255 characters; see [`username_base`].
    pub user_name: String,
    pub name_first: PersonName,
    pub name_last: PersonName,
    pub email: Email,
    pub external_id: Option<ExternalId>,
    pub active: bool,
    /// `None` keeps the user's language (English for a new user).
    pub language: Option<Language>,
    pub password: Option<Password>,
}

/// Who holds a role, as a provider sees the group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub uuid: Uuid,
    pub user_name: String,
}

/// A role as a provider sees it, a group: with who holds it when asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionedGroup {
    pub role: Role,
    /// The group's id at the provider.
    pub external_id: Option<String>,
    pub members: Option<Vec<Member>>,
}

/// What a provider changes of a group. A user holds one role at most, so a user added to a group
/// leaves the group they were in.
#[derive(Clone, Debug, Default)]
pub struct GroupChange {
    /// The new name; `None` keeps it.
    pub name: Option<RoleName>,
    /// The new external id (`Some(None)` clears it); `None` keeps it.
    pub external_id: Option<Option<ExternalId>>,
    pub members: MembersChange,
}

#[derive(Clone, Debug, Default)]
pub enum MembersChange {
    #[default]
    Keep,
    /// Exactly these users hold the role afterwards.
    Set(Vec<Uuid>),
    /// These users get the role, then those lose it.
    Apply { add: Vec<Uuid>, remove: Vec<Uuid> },
}

/// What a provider's username becomes when it breaks the username rule (3..=15 letters, digits and
/// underscores): its part before an `@`, every other character as `_`, cut to 15 characters and
/// padded with `_` to 3. When that is taken, its first 10 characters, `_` and four digits are
/// tried instead (see the provisioning service).
pub fn username_base(user_name: &str) -> String {
    let local = user_name.split('@').next().unwrap_or_default();
    let local = if local.is_empty() { user_name } else { local };
    let mut base: String = local
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(15)
        .collect();
    while base.chars().count() < 3 {
        base.push('_');
    }
    base
}

/// The attributes of a user a provider's filter can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAttribute {
    Id,
    UserName,
    ExternalId,
    Email,
    GivenName,
    FamilyName,
    Active,
    Created,
    LastModified,
}

/// The attributes of a group a provider's filter can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupAttribute {
    Id,
    DisplayName,
    ExternalId,
    /// A member's uuid (`members.value`).
    Member,
    Created,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Contains,
    StartsWith,
    EndsWith,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    Text(String),
    Bool(bool),
    Number(f64),
    Null,
}

/// A filter over the attributes `A`, as a provider asks it.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter<A> {
    Compare(A, Comparison, FilterValue),
    Present(A),
    /// Matches nothing: a comparison on a value Roster never holds (a home email, say).
    Nothing,
    And(Box<Filter<A>>, Box<Filter<A>>),
    Or(Box<Filter<A>>, Box<Filter<A>>),
    Not(Box<Filter<A>>),
}

/// A page of a provider's listing: 1-based `start`, at most `count` items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub count: i64,
}

/// The most items one page holds.
pub const MAX_RESULTS: i64 = 200;

/// One page of a provider's listing, with the total of what matched.
#[derive(Clone, Debug)]
pub struct Found<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// The provisioning page: where providers connect, and the caller's keys for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provisioning {
    pub base_url: String,
    pub keys: Vec<ProvisioningKey>,
}

/// A key made on the provisioning page, for a named provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningKey {
    pub key: super::api_key::ApiKey,
    pub provider: String,
    pub requests: Vec<ProvisioningRequest>,
}

/// One request a key made to the provisioning door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningRequest {
    #[serde(serialize_with = "timestamp")]
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// How many requests are kept per key.
pub const REQUESTS_KEPT: i64 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_made_from_what_breaks_the_rule() {
        assert_eq!(username_base("jane.doe@example.com"), "jane_doe");
        assert_eq!(
            username_base("3f2a9c1e-5b7d-4c1a-9e2f-0a1b2c3d4e5f"),
            "3f2a9c1e_5b7d_4"
        );
        assert_eq!(username_base("J Smith"), "J_Smith");
        assert_eq!(username_base("@x"), "_x_");
        assert_eq!(username_base("é"), "___");
        assert_eq!(username_base("a"), "a__");
    }
}
