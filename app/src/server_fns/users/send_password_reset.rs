use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Mails the user a password reset link.
#[server(name = SendPasswordReset, prefix = "/_roster", endpoint = "users/send_password_reset")]
pub async fn send_password_reset(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.send_password_reset(&principal, uuid).await?)
}
