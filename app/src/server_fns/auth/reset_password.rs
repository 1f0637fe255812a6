use leptos::prelude::*;

use crate::error::AppError;

/// Sets a password with the token of a mailed link, then goes to sign-in.
#[server(name = ResetPassword, prefix = "/_roster", endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use roster::services::passwords::ResetPasswordRequest;

    let core = super::super::core()?;
    let request = ResetPasswordRequest { token, password };
    core.reset_password(request.try_into()?, &super::super::client())
        .await?;
    leptos_axum::redirect("/sign-in?password=set");
    Ok(())
}
