use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One of a user's links, as their page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLink {
    pub uuid: Uuid,
    pub provider: String,
    pub identifier: String,
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
}

#[server(name = ListUserLinks, prefix = "/_roster", endpoint = "oauth_providers/user_links")]
pub async fn user_links(user: Uuid) -> Result<Vec<UserLink>, AppError> {
    let (core, principal) = super::super::principal().await?;
    let query = roster::domain::page::ListQuery::largest();
    let links = core.list_user_oauth_links(&principal, user, query).await?;
    Ok(links
        .data
        .into_iter()
        .map(|link| UserLink {
            uuid: link.uuid,
            provider: link.oauth_provider.name,
            identifier: link.identifier,
            last_used: link.last_used,
        })
        .collect())
}

#[server(name = UnlinkUser, prefix = "/_roster", endpoint = "oauth_providers/unlink_user")]
pub async fn unlink_user(user: Uuid, uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.delete_user_oauth_link(&principal, user, uuid).await?)
}
