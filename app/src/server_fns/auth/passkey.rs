use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::server_fns::account::Ceremony;

/// A challenge for any passkey that names its user.
#[server(name = BeginPasskey, prefix = "/_roster", endpoint = "auth/begin_passkey")]
pub async fn begin_passkey() -> Result<Ceremony, AppError> {
    let core = super::super::core()?;
    let challenge = core
        .begin_passkey_sign_in(None, &super::super::client())
        .await?;
    Ok(Ceremony {
        uuid: challenge.uuid,
        options: challenge.options.to_string(),
    })
}

/// Signs in with the passkey's answer, as JSON.
#[server(name = FinishPasskey, prefix = "/_roster", endpoint = "auth/finish_passkey")]
pub async fn finish_passkey(uuid: Uuid, answer: String) -> Result<(), AppError> {
    let core = super::super::core()?;
    let answer = serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null);
    let session = core
        .finish_passkey_sign_in(uuid, answer, super::super::client())
        .await?;
    super::super::open_session(&session);
    Ok(())
}

/// A challenge for the keys of the user at the second step of a sign-in.
#[server(name = BeginKeyStep, prefix = "/_roster", endpoint = "auth/begin_key_step")]
pub async fn begin_key_step() -> Result<Ceremony, AppError> {
    let core = super::super::core()?;
    let token = challenge_token()?;
    let challenge = core
        .begin_key_checkpoint(&token, &super::super::client())
        .await?;
    Ok(Ceremony {
        uuid: challenge.uuid,
        options: challenge.options.to_string(),
    })
}

/// The second step of a sign-in with a key instead of a code.
#[server(name = FinishKeyStep, prefix = "/_roster", endpoint = "auth/finish_key_step")]
pub async fn finish_key_step(uuid: Uuid, answer: String) -> Result<(), AppError> {
    let core = super::super::core()?;
    let token = challenge_token()?;
    let site = super::super::site();
    let answer = serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null);
    let session = core
        .finish_key_checkpoint(&token, uuid, answer, super::super::client())
        .await?;
    super::super::set_cookie(&crate::session::cleared_challenge_cookie(&site));
    super::super::open_session(&session);
    Ok(())
}

/// The token the password step left in a cookie. (The error is made only when there is none:
/// making one sets the reply's status.)
#[cfg(feature = "ssr")]
fn challenge_token() -> Result<String, AppError> {
    let site = super::super::site();
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| crate::session::challenge_token(&parts, &site))
        .ok_or_else(|| {
            AppError::from(roster::CoreError::Refused(
                roster::Refusal::InvalidTwoFactor,
            ))
        })
}
