use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// An admin turns a user's two-factor sign-in off.
#[server(name = ResetTwoFactor, prefix = "/_roster", endpoint = "two_factor/reset")]
pub async fn reset_two_factor(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.reset_two_factor(&principal, uuid).await?)
}
