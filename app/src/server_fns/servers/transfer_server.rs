use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Finds the new owner among users by exact username or email, as a person types it.
#[cfg(feature = "ssr")]
pub(super) async fn owner_uuid(
    core: &roster::Core,
    principal: &roster::Principal,
    owner: &str,
) -> Result<Uuid, AppError> {
    use roster::domain::page::ListQuery;

    let owner = owner.trim();
    if owner.is_empty() {
        return Err(roster::CoreError::invalid_field("owner", "length is lower than 1").into());
    }
    let query = ListQuery {
        search: Some(owner.to_owned()),
        per_page: roster::domain::page::MAX_PER_PAGE,
        ..ListQuery::default()
    };
    let page = core.list_users(principal, query).await?;
    page.data
        .into_iter()
        .find(|u| u.username.eq_ignore_ascii_case(owner) || u.email.eq_ignore_ascii_case(owner))
        .map(|u| u.uuid)
        .ok_or_else(|| roster::CoreError::InvalidRelation("owner".to_owned()).into())
}

/// Hands a server to another user, named by username or email.
#[server(name = TransferServer, prefix = "/_roster", endpoint = "servers/transfer")]
pub async fn transfer_server(uuid: Uuid, owner: String) -> Result<roster::domain::server::Server, AppError> {
    use roster::domain::server::ServerPatch;

    let (core, principal) = super::super::principal().await?;
    let owner_uuid = owner_uuid(&core, &principal, &owner).await?;
    let patch = ServerPatch {
        name: None,
        owner_uuid: Some(owner_uuid),
    };
    Ok(core.update_server(&principal, uuid, patch).await?)
}
