use leptos::prelude::*;

use crate::error::AppError;

/// The second step of a two-factor sign-in: the challenge token and a code.
#[server(name = CompleteSignIn, prefix = "/_roster", endpoint = "auth/complete_sign_in")]
pub async fn complete_sign_in(token: String, code: String) -> Result<(), AppError> {
    let core = super::super::core()?;
    let client = super::super::client();
    let session = core.complete_sign_in(&token, &code, client).await?;
    super::super::open_session(&session);
    Ok(())
}
