use leptos::prelude::*;

use crate::error::AppError;

/// Opens a session and goes to the users list (works as a plain form post too).
#[server(name = SignIn, prefix = "/_roster", endpoint = "auth/sign_in")]
pub async fn sign_in(user: String, password: String) -> Result<(), AppError> {
    use roster::services::LoginRequest;

    let core = super::super::core()?;
    let client = super::super::client();
    match core.login(LoginRequest { user, password }, client).await? {
        roster::services::SignIn::Done(session) => super::super::open_session(&session),
        roster::services::SignIn::TwoFactorRequired { token } => {
            super::super::set_cookie(&crate::session::challenge_cookie(
                &token,
                &super::super::site(),
            ));
            leptos_axum::redirect("/sign-in/code");
        }
    }
    Ok(())
}
