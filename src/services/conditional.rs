//! Entity tags: what `ETag` says of a resource, and what `If-Match` is compared with.

use serde::Serialize;

use crate::domain::precondition::Precondition;
use crate::error::CoreError;

/// The strong entity tag of a resource as the API shows it: a digest of its JSON, so it
/// changes whenever anything shown changes, and is the same on every instance.
pub fn entity_tag<T: Serialize>(resource: &T) -> String {
    digest_tag(&serde_json::to_vec(resource).unwrap_or_default())
}

/// The strong entity tag of a body as sent.
pub fn digest_tag(body: &[u8]) -> String {
    use sha2::Digest;
    format!("\"{}\"", &hex::encode(sha2::Sha256::digest(body))[..32])
}

/// Refuses a write whose `If-Match` names another version of `current`.
pub(crate) fn expect<T: Serialize>(
    precondition: &Precondition,
    current: &T,
) -> Result<(), CoreError> {
    if matches!(precondition, Precondition::None) || precondition.allows(&entity_tag(current)) {
        Ok(())
    } else {
        Err(CoreError::Changed)
    }
}
