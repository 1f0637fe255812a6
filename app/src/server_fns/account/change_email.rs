use leptos::prelude::*;

use crate::error::AppError;

/// Changes the signed-in user's email address, confirmed by their password.
#[server(name = ChangeEmail, prefix = "/_roster", endpoint = "account/change_email")]
pub async fn change_email(email: String, password: String) -> Result<(), AppError> {
    use roster::services::account::EmailChangeRequest;

    let (core, principal) = super::super::principal().await?;
    let request = EmailChangeRequest { email, password };
    Ok(core.change_own_email(&principal, request).await?)
}
