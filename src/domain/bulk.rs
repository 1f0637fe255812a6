//! Bulk actions: one change applied to many users, as a job. A job first runs dry (each user's
//! verdict recorded, nothing changed), and then for real: each user's change its own write, with
//! its own activity row, under the same rules as the single change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::page::{ListParams, ListQuery};
use crate::error::{CoreError, FieldErrors};
use crate::permission::Permission;

/// The most users a request may name one by one; more are selected by a filter.
pub const MAX_NAMED_USERS: usize = 1000;

/// What a bulk action does to each user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkAction {
    Suspend,
    Unsuspend,
    AssignRole { role: Uuid },
    RemoveRole,
    SendPasswordReset,
    DisableTwoFactor,
    Delete,
}

impl BulkAction {
    /// The permissions of the single change, beyond `users.read`.
    pub fn permission(self) -> Permission {
        match self {
            BulkAction::Suspend
            | BulkAction::Unsuspend
            | BulkAction::AssignRole { .. }
            | BulkAction::RemoveRole => Permission::UsersUpdate,
            BulkAction::SendPasswordReset => Permission::UsersEmail,
            BulkAction::DisableTwoFactor => Permission::UsersDisableTwoFactor,
            BulkAction::Delete => Permission::UsersDelete,
        }
    }

    /// What the console calls it.
    pub fn label(self) -> &'static str {
        match self {
            BulkAction::Suspend => "Suspend",
            BulkAction::Unsuspend => "Unsuspend",
            BulkAction::AssignRole { .. } => "Assign role",
            BulkAction::RemoveRole => "Remove role",
            BulkAction::SendPasswordReset => "Send password reset",
            BulkAction::DisableTwoFactor => "Turn off two-factor",
            BulkAction::Delete => "Delete",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BulkAction::Suspend => "suspend",
            BulkAction::Unsuspend => "unsuspend",
            BulkAction::AssignRole { .. } => "assign_role",
            BulkAction::RemoveRole => "remove_role",
            BulkAction::SendPasswordReset => "send_password_reset",
            BulkAction::DisableTwoFactor => "disable_two_factor",
            BulkAction::Delete => "delete",
        }
    }
}

/// The filters of a selection by filter: those of the users listing.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFilter {
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub suspended: Option<String>,
    #[serde(default)]
    pub signed_in: Option<String>,
}

/// `POST /api/admin/users/bulk` as sent.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub action: String,
    /// For `assign_role`: the role's uuid.
    #[serde(default)]
    pub role: Option<String>,
    /// The users, one by one (at most 1,000)…
    #[serde(default)]
    pub users: Option<Vec<String>>,
    /// …or every user the listing with these filters shows.
    #[serde(default)]
    pub filter: Option<BulkFilter>,
    /// Only judge each user, changing nothing (the default).
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// Which users a bulk action is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkSelection {
    Users(Vec<Uuid>),
    Matching(ListQuery),
}

/// A valid bulk request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBulk {
    pub action: BulkAction,
    pub selection: BulkSelection,
    pub dry_run: bool,
}

impl TryFrom<BulkRequest> for NewBulk {
    type Error = CoreError;

    fn try_from(request: BulkRequest) -> Result<Self, CoreError> {
        let mut errors = FieldErrors::new();
        let role = match request.role.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match Uuid::parse_str(raw) {
                Ok(role) => Some(role),
                Err(_) => {
                    errors.push("role", "must be a uuid");
                    None
                }
            },
        };
        let action = match (request.action.as_str(), role) {
            ("suspend", _) => Some(BulkAction::Suspend),
            ("unsuspend", _) => Some(BulkAction::Unsuspend),
            ("assign_role", Some(role)) => Some(BulkAction::AssignRole { role }),
            ("assign_role", None) => {
                if request.role.is_none() {
                    errors.push("role", "is required to assign a role");
                }
                None
            }
            ("remove_role", _) => Some(BulkAction::RemoveRole),
            ("send_password_reset", _) => Some(BulkAction::SendPasswordReset),
            ("disable_two_factor", _) => Some(BulkAction::DisableTwoFactor),
            ("delete", _) => Some(BulkAction::Delete),
            _ => {
                errors.push(
                    "action",
                    "must be suspend, unsuspend, assign_role, remove_role, \
                     send_password_reset, disable_two_factor or delete",
                );
                None
            }
        };
        let selection = match (request.users, request.filter) {
            (Some(users), None) => {
                let mut uuids: Vec<Uuid> = Vec::new();
                for raw in &users {
                    match Uuid::parse_str(raw.trim()) {
                        Ok(uuid) if !uuids.contains(&uuid) => uuids.push(uuid),
                        Ok(_) => {}
                        Err(_) => errors.push("users", format!("{raw} is not a uuid")),
                    }
                }
                if uuids.is_empty() && errors.is_empty() {
                    errors.push("users", "names nobody");
                } else if uuids.len() > MAX_NAMED_USERS {
                    errors.push(
                        "users",
                        format!("names more than {MAX_NAMED_USERS}; select by a filter"),
                    );
                }
                Some(BulkSelection::Users(uuids))
            }
            (None, Some(filter)) => match ListQuery::try_from(ListParams {
                search: filter.search,
                suspended: filter.suspended,
                signed_in: filter.signed_in,
                ..ListParams::default()
            }) {
                Ok(query) => Some(BulkSelection::Matching(query)),
                Err(error) => {
                    for message in error.messages() {
                        errors.push("filter", message);
                    }
                    None
                }
            },
            _ => {
                errors.push("users", "give either users or filter");
                None
            }
        };
        errors.into_result()?;
        match (action, selection) {
            (Some(action), Some(selection)) => Ok(NewBulk {
                action,
                selection,
                dry_run: request.dry_run.unwrap_or(true),
            }),
            _ => Err(CoreError::invalid_field("action", "is not valid")),
        }
    }
}

/// Where a job stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for an instance to take it.
    Queued,
    Running,
    Cancelled,
    Finished,
    /// Stopped: whoever started it may no longer do so (see `error`).
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn is_over(self) -> bool {
        matches!(
            self,
            JobState::Cancelled | JobState::Finished | JobState::Failed
        )
    }
}

/// What happened to one user of a job.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Changed.
    Done,
    /// A dry run: would be changed.
    Would,
    /// Nothing to do (already suspended, has no role, …).
    Skipped,
    /// Refused by the rules of the single change (see `reason`).
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// `outcome=` as sent: absent or empty keeps every outcome.
    pub fn parse_filter(raw: Option<&str>) -> Result<Option<Self>, CoreError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => raw.parse().map(Some).map_err(|_| {
                CoreError::invalid_field("outcome", "must be done, would, skipped or refused")
            }),
        }
    }
}

/// A job as the API shows it.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub uuid: Uuid,
    /// `{"action": "suspend"}`, `{"action": "assign_role", "role": "<uuid>"}`, …
    #[cfg_attr(feature = "server", schema(value_type = Object))]
    pub action: BulkAction,
    pub dry_run: bool,
    #[cfg_attr(feature = "server", schema(value_type = String))]
    pub state: JobState,
    /// Users selected.
    pub total: i64,
    /// Users judged or changed so far: `done + would + skipped + refused`.
    pub processed: i64,
    pub done: i64,
    pub would: i64,
    pub skipped: i64,
    pub refused: i64,
    /// Why a failed job stopped.
    pub error: Option<String>,
    /// Who started it.
    pub actor_uuid: Uuid,
    #[serde(serialize_with = "crate::domain::serde_helpers::timestamp")]
    pub created: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
}

/// One user of a job, in the order the job takes them.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobItem {
    pub position: i64,
    pub user_uuid: Uuid,
    pub username: String,
    /// `null` while the job has not reached the user.
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub outcome: Option<Outcome>,
    /// Why the user was skipped or refused.
    pub reason: Option<String>,
}
