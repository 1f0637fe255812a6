use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// Adds a claim mapping: a matcher written as Calagopus' JSON, and the role it hands out.
#[server(name = CreateMapping, prefix = "/_roster", endpoint = "oauth_providers/create_mapping")]
pub async fn create_mapping(
    provider: Uuid,
    matcher: String,
    role_uuid: Uuid,
    revoke_unmatched: Option<String>,
) -> Result<(), AppError> {
    use roster::domain::oauth::{MappingInput, MappingRequest};
    use serde_json::{Value, json};

    let (core, principal) = super::super::principal().await?;
    let matcher = serde_json::from_str::<Value>(&matcher).map_err(|error| {
        roster::CoreError::invalid_field("matcher", format!("is not JSON: {error}"))
    })?;
    let request = MappingRequest {
        matcher: Some(matcher),
        mapping: Some(json!({
            "type": "role",
            "role_uuid": role_uuid,
            "revoke_unmatched": revoke_unmatched.is_some(),
        })),
    };
    core.create_oauth_mapping(&principal, provider, MappingInput::parse(request, true)?)
        .await?;
    Ok(())
}
