use leptos::prelude::*;

use crate::error::AppError;

/// A session acting as another user is the admin's own again, back on that user's page.
#[server(name = ReturnToAccount, prefix = "/_roster", endpoint = "auth/return_to_account")]
pub async fn return_to_account() -> Result<(), AppError> {
    let (core, principal) = super::super::principal().await?;
    core.return_to_own_account(&principal).await?;
    leptos_axum::redirect(&format!("/users/{}", principal.user.uuid));
    Ok(())
}
