use leptos::prelude::*;

use crate::error::AppError;

/// Sets a password with the token of a mailed link, then goes to sign-in.
#[server(name = ResetPassword, prefix = "/_roster", endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use roster::domain::fields::Password;

    let core = super::super::core()?;
    let password = Password::parse(password)
        .map_err(|reason| roster::CoreError::invalid_field("password", reason))?;
    core.reset_password(&token, password).await?;
    leptos_axum::redirect("/sign-in?password=set");
    Ok(())
}
