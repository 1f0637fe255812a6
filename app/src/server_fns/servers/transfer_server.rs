use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Finds the new owner by exact username or email, as a person types it.
#[cfg(feature = "ssr")]
pub(super) async fn owner_uuid(
    core: &roster::Core,
    principal: &roster::Principal,
    owner: &str,
) -> Result<Uuid, AppError> {
    match core.get_user_by_login(principal, owner.trim()).await {
        Ok(user) => Ok(user.uuid),
        Err(roster::CoreError::Refused(roster::Refusal::NotFound(_))) => Err(
            roster::CoreError::Refused(roster::Refusal::InvalidRelation("owner".to_owned())).into(),
        ),
        Err(other) => Err(other.into()),
    }
}

/// Hands a server to another user, named by username or email.
#[server(name = TransferServer, prefix = "/_roster", endpoint = "servers/transfer")]
pub async fn transfer_server(
    uuid: Uuid,
    owner: String,
) -> Result<roster::domain::server::Server, AppError> {
    use roster::domain::server::ServerPatch;

    let (core, principal) = super::super::principal().await?;
    let owner_uuid = owner_uuid(&core, &principal, &owner).await?;
    let patch = ServerPatch {
        name: None,
        owner_uuid: Some(owner_uuid),
    };
    Ok(core
        .update_server(&principal, uuid, patch, &roster::Precondition::None)
        .await?)
}
