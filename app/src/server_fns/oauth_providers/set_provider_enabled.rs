use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Turns a provider on or off: the sign-in page offers only the ones that are on.
#[server(name = SetProviderEnabled, prefix = "/_roster", endpoint = "oauth_providers/set_enabled")]
pub async fn set_provider_enabled(uuid: Uuid, enabled: bool) -> Result<(), AppError> {
    use roster::domain::oauth::{OAuthProviderPatch, UpdateOAuthProviderRequest};

    let (core, principal) = super::super::principal().await?;
    let patch = OAuthProviderPatch::try_from(UpdateOAuthProviderRequest {
        enabled: Some(enabled),
        ..Default::default()
    })?;
    core.update_oauth_provider(&principal, uuid, patch).await?;
    Ok(())
}
