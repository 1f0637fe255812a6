mod create_api_key;
mod list_api_keys;
mod revoke_api_key;

pub use create_api_key::{CreateApiKey, create_api_key};
pub use list_api_keys::{ListApiKeys, list_api_keys};
pub use revoke_api_key::{RevokeApiKey, revoke_api_key};
