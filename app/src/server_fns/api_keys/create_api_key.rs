use leptos::prelude::*;
use roster::domain::api_key::CreatedApiKey;

use crate::error::AppError;

/// Creates a key for the signed-in user; the answer holds the secret, shown once.
#[server(name = CreateApiKey, prefix = "/_roster", endpoint = "api_keys/create")]
pub async fn create_api_key(
    name: String,
    #[server(default)] admin_permissions: Vec<String>,
) -> Result<CreatedApiKey, AppError> {
    use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};

    let (core, principal) = super::super::principal().await?;
    let request = CreateApiKeyRequest {
        name,
        admin_permissions,
        expires: None,
    };
    let input = NewApiKey::parse(request, chrono::Utc::now())?;
    Ok(core.create_api_key(&principal, input).await?)
}
