use leptos::prelude::*;

use crate::error::AppError;

/// Opens a session and goes to the users list (works as a plain form post too).
#[server(name = SignIn, prefix = "/_roster", endpoint = "auth/sign_in")]
pub async fn sign_in(user: String, password: String) -> Result<(), AppError> {
    use roster::services::LoginRequest;

    let core = super::super::core()?;
    let session = core.login(LoginRequest { user, password }).await?;
    let secure = use_context::<http::request::Parts>()
        .is_some_and(|parts| crate::session::is_https(&parts.headers));
    let cookie = crate::session::session_cookie(&session.token, session.expires, secure);
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = http::HeaderValue::from_str(&cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
    leptos_axum::redirect("/users");
    Ok(())
}
