use leptos::prelude::*;

use crate::error::AppError;

#[server(name = DisableTwoFactor, prefix = "/_roster", endpoint = "two_factor/disable")]
pub async fn disable_two_factor(code: String, password: String) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    Ok(core.disable_two_factor(&principal, &code, password).await?)
}
