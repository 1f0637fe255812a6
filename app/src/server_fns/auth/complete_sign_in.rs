use leptos::prelude::*;

use crate::error::AppError;

/// The second step of a two-factor sign-in: a code, for the challenge whose token the first
/// step left in a cookie.
#[server(name = CompleteSignIn, prefix = "/_roster", endpoint = "auth/complete_sign_in")]
pub async fn complete_sign_in(code: String) -> Result<(), AppError> {
    let core = super::super::core()?;
    let client = super::super::client();
    let site = super::super::site();
    let token = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| crate::session::challenge_token(&parts, &site))
        .ok_or(roster::CoreError::Refused(
            roster::Refusal::InvalidTwoFactor,
        ))?;
    let session = core.complete_sign_in(&token, &code, client).await?;
    super::super::set_cookie(&crate::session::cleared_challenge_cookie(&site));
    super::super::open_session(&session);
    Ok(())
}
