use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The new provider form: Calagopus' fields, the scopes separated by spaces, the flags as
/// checkboxes (present when ticked).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProviderForm {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: String,
    pub token_url: String,
    pub info_url: String,
    pub scopes: String,
    pub identifier_path: String,
    pub email_path: Option<String>,
    pub username_path: Option<String>,
    pub name_first_path: Option<String>,
    pub name_last_path: Option<String>,
    pub issuer: Option<String>,
    pub enabled: Option<String>,
    pub login_only: Option<String>,
    pub login_bypass_two_factor: Option<String>,
    pub link_viewable: Option<String>,
    pub user_manageable: Option<String>,
    pub basic_auth: Option<String>,
}

#[server(name = CreateProvider, prefix = "/_roster", endpoint = "oauth_providers/create")]
pub async fn create_provider(form: ProviderForm) -> Result<(), AppError> {
    use roster::domain::oauth::{CreateOAuthProviderRequest, NewOAuthProvider};

    use super::super::non_empty;

    let (core, principal) = super::super::principal().await?;
    let request = CreateOAuthProviderRequest {
        name: form.name,
        description: None,
        enabled: form.enabled.is_some(),
        login_only: form.login_only.is_some(),
        login_bypass_two_factor: form.login_bypass_two_factor.is_some(),
        link_viewable: form.link_viewable.is_some(),
        user_manageable: form.user_manageable.is_some(),
        basic_auth: form.basic_auth.is_some(),
        client_id: form.client_id,
        client_secret: form.client_secret,
        auth_url: form.auth_url,
        token_url: form.token_url,
        info_url: form.info_url,
        scopes: form.scopes.split_whitespace().map(str::to_owned).collect(),
        identifier_path: form.identifier_path,
        email_path: non_empty(form.email_path),
        username_path: non_empty(form.username_path),
        name_first_path: non_empty(form.name_first_path),
        name_last_path: non_empty(form.name_last_path),
        issuer: non_empty(form.issuer),
    };
    core.create_oauth_provider(&principal, NewOAuthProvider::try_from(request)?)
        .await?;
    Ok(())
}
