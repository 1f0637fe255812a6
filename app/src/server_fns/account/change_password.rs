use leptos::prelude::*;

use crate::error::AppError;

/// Changes the signed-in user's password, confirmed by the current one.
#[server(name = ChangePassword, prefix = "/_roster", endpoint = "account/change_password")]
pub async fn change_password(password: String, new_password: String) -> Result<(), AppError> {
    use roster::services::account::PasswordChangeRequest;

    let (core, principal) = super::super::principal().await?;
    let request = PasswordChangeRequest {
        password,
        new_password,
    };
    Ok(core.change_own_password(&principal, request).await?)
}
