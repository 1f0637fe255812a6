use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A provider the sign-in page offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInProvider {
    pub uuid: uuid::Uuid,
    pub name: String,
}

/// The enabled sign-in providers, oldest first.
#[server(name = SignInProviders, prefix = "/_roster", endpoint = "auth/sign_in_providers")]
pub async fn sign_in_providers() -> Result<Vec<SignInProvider>, AppError> {
    let core = super::super::core()?;
    Ok(core
        .sign_in_providers()
        .await?
        .into_iter()
        .map(|provider| SignInProvider {
            uuid: provider.uuid,
            name: provider.name,
        })
        .collect())
}
