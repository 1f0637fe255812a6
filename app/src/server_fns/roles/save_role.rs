use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Creates a role, or updates it when `uuid` is given. Permissions come as the checked boxes.
#[server(name = SaveRole, prefix = "/_roster", endpoint = "roles/save")]
pub async fn save_role(
    #[server(default)] uuid: Option<Uuid>,
    name: String,
    #[server(default)] description: Option<String>,
    #[server(default)] admin_permissions: Vec<String>,
    #[server(default)] require_two_factor: Option<String>,
) -> Result<roster::domain::role::Role, AppError> {
    use roster::domain::role::{CreateRoleRequest, NewRole, RolePatch, UpdateRoleRequest};

    let (core, principal) = super::super::principal().await?;
    let description = super::super::non_empty(description);
    let role = match uuid {
        Some(uuid) => {
            let request = UpdateRoleRequest {
                name: Some(name),
                description: Some(description),
                admin_permissions: Some(admin_permissions),
                require_two_factor: Some(require_two_factor.is_some()),
            };
            core.update_role(
                &principal,
                uuid,
                RolePatch::try_from(request)?,
                &roster::Precondition::None,
            )
            .await?
        }
        None => {
            let request = CreateRoleRequest {
                name,
                description,
                admin_permissions,
                require_two_factor: Some(require_two_factor.is_some()),
            };
            core.create_role(&principal, NewRole::try_from(request)?)
                .await?
        }
    };
    Ok(role)
}
