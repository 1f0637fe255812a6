use leptos::prelude::*;

use crate::error::AppError;

/// Confirms enrolment with a current code and the password; answers the recovery codes.
#[server(name = EnableTwoFactor, prefix = "/_roster", endpoint = "two_factor/enable")]
pub async fn enable_two_factor(code: String, password: String) -> Result<Vec<String>, AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.enable_two_factor(&principal, &code, password).await?)
}
