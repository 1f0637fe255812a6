use leptos::prelude::*;

use crate::error::AppError;

/// Creates a server owned by the user with this username or email.
#[server(name = CreateServer, prefix = "/_roster", endpoint = "servers/create")]
pub async fn create_server(
    name: String,
    owner: String,
) -> Result<roster::domain::server::Server, AppError> {
    use roster::domain::server::{CreateServerRequest, NewServer};

    let (core, principal) = super::super::principal().await?;
    let owner_uuid = super::transfer_server::owner_uuid(&core, &principal, &owner).await?;
    let request = CreateServerRequest { name, owner_uuid };
    Ok(core
        .create_server(&principal, NewServer::try_from(request)?)
        .await?)
}
