use leptos::prelude::*;
use roster::domain::api_key::CreatedApiKey;

use crate::error::AppError;

/// Makes the signed-in user a key for a named provider: users, and groups when ticked. The
/// answer holds the secret, shown once.
#[server(name = CreateProvisioningKey, prefix = "/_roster", endpoint = "provisioning/create_key")]
pub async fn create_provisioning_key(
    provider: String,
    #[server(default)] groups: Option<String>,
) -> Result<CreatedApiKey, AppError> {
    use roster::domain::fields::Label;

    let (core, principal) = super::super::principal().await?;
    let provider = Label::parse(provider)
        .map_err(|reason| AppError::from(roster::CoreError::invalid_field("provider", reason)))?;
    Ok(core
        .create_provisioning_key(&principal, provider, groups.is_some())
        .await?)
}
