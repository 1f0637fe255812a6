//! Entity tags: what `ETag` says of a resource, and what `If-Match` is compared with.

use crate::error::Refusal;
use serde::Serialize;

use crate::domain::precondition::Precondition;
use crate::error::CoreError;

/// The strong entity tag of a resource as the API shows it: a digest of its JSON, so it
/// changes whenever anything shown changes, and is the same on every instance.
pub fn entity_tag<T: Serialize>(resource: &T) -> String {
    shown_with_tag(resource).map_or_else(|_| digest_tag(&[]), |(_, tag)| tag)
}

/// A resource's JSON as the API shows it, with its [`entity_tag`], serialised once for both.
pub fn shown_with_tag<T: Serialize>(resource: &T) -> Result<(Vec<u8>, String), serde_json::Error> {
    let shown = serde_json::to_vec(resource)?;
    let tag = digest_tag(&shown);
    Ok((shown, tag))
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
        Err(CoreError::Refused(Refusal::Changed))
    }
}
