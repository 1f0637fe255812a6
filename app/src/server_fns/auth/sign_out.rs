use leptos::prelude::*;

use crate::error::AppError;

/// Ends the session and goes to the sign-in page.
#[server(name = SignOut, prefix = "/_roster", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let core = super::super::core()?;
    let parts = use_context::<http::request::Parts>();
    let credentials = parts
        .as_ref()
        .map(|parts| crate::session::credentials(&parts.headers))
        .unwrap_or_default();
    if let Some(token) = credentials.session_token {
        core.logout(&token).await?;
    }
    let secure = parts.is_some_and(|parts| crate::session::is_https(&parts.headers));
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = http::HeaderValue::from_str(&crate::session::cleared_cookie(secure)) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
    leptos_axum::redirect("/sign-in");
    Ok(())
}
