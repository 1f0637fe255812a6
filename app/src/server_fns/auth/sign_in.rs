use leptos::prelude::*;

use crate::error::AppError;

/// Opens a session and goes to the users list (works as a plain form post too).
#[server(name = SignIn, prefix = "/_roster", endpoint = "auth/sign_in")]
pub async fn sign_in(user: String, password: String) -> Result<(), AppError> {
    use roster::services::LoginRequest;

    let core = super::super::core()?;
    let client = use_context::<http::request::Parts>()
        .map(|parts| crate::session::client_info(&parts))
        .unwrap_or_default();
    let session = core.login(LoginRequest { user, password }, client).await?;
    super::super::set_cookie(&crate::session::session_cookie(
        &session.token,
        session.expires,
        &super::super::site(),
    ));
    leptos_axum::redirect("/users");
    Ok(())
}
