use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One of the caller's security keys, as the account page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnKey {
    pub uuid: Uuid,
    pub name: String,
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
}

/// A ceremony begun: the uuid its answer goes to, and the options for the browser as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    pub uuid: Uuid,
    pub options: String,
}

#[server(name = ListOwnKeys, prefix = "/_roster", endpoint = "account/security_keys")]
pub async fn own_keys() -> Result<Vec<OwnKey>, AppError> {
    let (core, principal) = super::super::principal().await?;
    let query = roster::domain::page::ListQuery::largest();
    let keys = core.list_own_security_keys(&principal, query).await?;
    Ok(keys
        .data
        .into_iter()
        .map(|k| OwnKey {
            uuid: k.uuid,
            name: k.name,
            last_used: k.last_used,
        })
        .collect())
}

/// Begins registering a passkey on the caller's own account.
#[server(name = BeginKey, prefix = "/_roster", endpoint = "account/begin_security_key")]
pub async fn begin_key(name: String) -> Result<Ceremony, AppError> {
    let (core, principal) = super::super::principal().await?;
    let begun = core.begin_security_key(&principal, &name, true).await?;
    Ok(Ceremony {
        uuid: begun.security_key.uuid,
        options: begun.options.to_string(),
    })
}

/// Finishes a registration with the authenticator's answer, as JSON.
#[server(name = FinishKey, prefix = "/_roster", endpoint = "account/finish_security_key")]
pub async fn finish_key(uuid: Uuid, answer: String) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    let answer = serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null);
    core.finish_security_key(&principal, uuid, answer).await?;
    Ok(())
}

#[server(name = RemoveKey, prefix = "/_roster", endpoint = "account/remove_security_key")]
pub async fn remove_key(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.delete_security_key(&principal, uuid).await?)
}
