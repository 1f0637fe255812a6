use leptos::prelude::*;
use roster::Permission;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user and what they may do, for navigation and form choices: only what the
/// layout and the pages ask of it, so that every page's WebAssembly does not carry the code
/// that reads a whole user (timestamps, role).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub admin: bool,
    pub totp_enabled: bool,
    pub permissions: Vec<Permission>,
    /// Who is acting as this user ("Sign in as"), if anyone.
    pub impersonator: Option<String>,
}

impl Me {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// `None` when nobody is signed in: a normal state, answered 200 like any other.
#[server(name = CurrentUser, prefix = "/_roster", endpoint = "auth/current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let core = super::super::core()?;
    // Asked of the core directly: a signed-out visitor must not turn into an error status.
    match core
        .authenticate(&super::super::session_credentials()?)
        .await
    {
        Ok(principal) => Ok(Some(Me {
            permissions: principal.effective_permissions(),
            username: principal.user.username,
            admin: principal.user.admin,
            totp_enabled: principal.user.totp_enabled,
            impersonator: principal
                .impersonator
                .map(|impersonator| impersonator.username),
        })),
        Err(
            roster::CoreError::Refused(roster::Refusal::MissingAuthorization)
            | roster::CoreError::Refused(roster::Refusal::InvalidSession),
        ) => Ok(None),
        Err(other) => Err(other.into()),
    }
}
