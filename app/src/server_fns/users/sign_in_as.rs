use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// The admin's session acts as the user for half an hour; the console then shows what the user
/// sees.
#[server(name = SignInAs, prefix = "/_roster", endpoint = "users/sign_in_as")]
pub async fn sign_in_as(uuid: Uuid) -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.sign_in_as(&principal, uuid).await?;
    leptos_axum::redirect("/account");
    Ok(())
}
