use leptos::prelude::*;

use crate::error::AppError;

/// Ends the session and goes to the sign-in page.
#[server(name = SignOut, prefix = "/_roster", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let core = super::super::core()?;
    let credentials = use_context::<http::request::Parts>()
        .map(|parts| crate::session::credentials(&parts, &super::super::site()))
        .unwrap_or_default();
    if let Some(token) = credentials.session_token {
        core.logout(&token, &super::super::client()).await?;
    }
    super::super::set_cookie(&crate::session::cleared_cookie(&super::super::site()));
    leptos_axum::redirect("/sign-in");
    Ok(())
}
