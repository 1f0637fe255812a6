use leptos::prelude::*;
use roster::domain::provisioning::Provisioning;

use crate::error::AppError;

/// Where providers connect, and the signed-in user's provisioning keys with their last requests.
#[server(name = ProvisioningOverview, prefix = "/_roster", endpoint = "provisioning/overview")]
pub async fn provisioning() -> Result<Provisioning, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.provisioning(&principal).await?)
}
