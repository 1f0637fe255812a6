use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A claim mapping as the providers page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMapping {
    pub uuid: Uuid,
    /// The matcher, as the JSON it is written in.
    pub matcher: String,
    pub role: String,
    pub revoke_unmatched: bool,
}

/// A provider as the providers page shows it, with its mappings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub uuid: Uuid,
    pub name: String,
    pub client_id: String,
    pub auth_url: String,
    /// The address to register at the provider.
    pub redirect_uri: String,
    pub issuer: Option<String>,
    pub enabled: bool,
    pub login_only: bool,
    pub mappings: Vec<ProviderMapping>,
}

#[server(name = ListProviders, prefix = "/_roster", endpoint = "oauth_providers/list")]
pub async fn list_providers() -> Result<Vec<ProviderSummary>, AppError> {
    use roster::domain::oauth::Mapping;
    use roster::domain::page::ListQuery;

    let (core, principal) = super::super::principal().await?;
    let all = ListQuery::largest;
    let providers = core.list_oauth_providers(&principal, all()).await?;
    // Without `roles.read` a mapping names its role by uuid.
    let roles = core
        .list_roles(&principal, all())
        .await
        .map(|page| page.data)
        .unwrap_or_default();
    let mut summaries = Vec::with_capacity(providers.data.len());
    for provider in providers.data {
        let mappings = core
            .list_oauth_mappings(&principal, provider.uuid, all())
            .await?
            .data
            .into_iter()
            .map(|mapping| {
                let Mapping::Role {
                    role_uuid,
                    revoke_unmatched,
                } = mapping.mapping;
                ProviderMapping {
                    uuid: mapping.uuid,
                    matcher: serde_json::to_string(&mapping.matcher).unwrap_or_default(),
                    role: roles
                        .iter()
                        .find(|role| role.uuid == role_uuid)
                        .map_or_else(|| role_uuid.to_string(), |role| role.name.clone()),
                    revoke_unmatched,
                }
            })
            .collect();
        summaries.push(ProviderSummary {
            uuid: provider.uuid,
            name: provider.name,
            client_id: provider.client_id,
            auth_url: provider.auth_url,
            redirect_uri: core.oauth_redirect_uri(provider.uuid),
            issuer: provider.issuer,
            enabled: provider.enabled,
            login_only: provider.login_only,
            mappings,
        });
    }
    Ok(summaries)
}
