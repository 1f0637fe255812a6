use leptos::prelude::*;
use roster::Permission;
use roster::domain::user::User;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user and what they may do, for navigation and form choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    pub permissions: Vec<Permission>,
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
            user: principal.user,
        })),
        Err(roster::CoreError::MissingAuthorization | roster::CoreError::InvalidSession) => {
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}
