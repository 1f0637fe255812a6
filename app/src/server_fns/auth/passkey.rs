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
