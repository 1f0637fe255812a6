use leptos::prelude::*;

use crate::error::AppError;

/// Mails a reset link when the address has an account; answers alike either way.
#[server(name = ForgotPassword, prefix = "/_roster", endpoint = "auth/forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let core = super::super::core()?;
    let client = super::super::client();
    Ok(core.request_password_reset(&email, &client).await?)
}
