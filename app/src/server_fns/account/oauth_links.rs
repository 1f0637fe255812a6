use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One of the caller's links, as the account page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnLink {
    pub uuid: Uuid,
    pub provider: String,
    pub identifier: String,
}

/// The caller's links, and the providers they may link themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnLinks {
    pub links: Vec<OwnLink>,
    pub linkable: Vec<crate::server_fns::auth::SignInProvider>,
}

#[server(name = ListOwnLinks, prefix = "/_roster", endpoint = "account/oauth_links")]
pub async fn own_links() -> Result<OwnLinks, AppError> {
    let (core, principal) = super::super::principal().await?;
    let query = roster::domain::page::ListQuery {
        per_page: roster::domain::page::MAX_PER_PAGE,
        ..Default::default()
    };
    let links = core.list_own_oauth_links(&principal, query).await?;
    let linkable = core
        .linkable_providers(&principal)
        .await?
        .into_iter()
        .map(|p| crate::server_fns::auth::SignInProvider {
            uuid: p.uuid,
            name: p.name,
        })
        .collect();
    Ok(OwnLinks {
        links: links
            .data
            .into_iter()
            .map(|l| OwnLink {
                uuid: l.uuid,
                provider: l.oauth_provider.name,
                identifier: l.identifier,
            })
            .collect(),
        linkable,
    })
}

#[server(name = Unlink, prefix = "/_roster", endpoint = "account/unlink")]
pub async fn unlink(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.delete_own_oauth_link(&principal, uuid).await?)
}
