//! Sign-in providers, their claim mappings, and a user's links to them, as the console
//! administers them.

mod create_mapping;
mod create_provider;
mod delete_mapping;
mod delete_provider;
mod list_providers;
mod set_provider_enabled;
mod user_links;

pub use create_mapping::{CreateMapping, create_mapping};
pub use create_provider::{CreateProvider, ProviderForm, create_provider};
pub use delete_mapping::{DeleteMapping, delete_mapping};
pub use delete_provider::{DeleteProvider, delete_provider};
pub use list_providers::{ListProviders, ProviderMapping, ProviderSummary, list_providers};
pub use set_provider_enabled::{SetProviderEnabled, set_provider_enabled};
pub use user_links::{ListUserLinks, UnlinkUser, UserLink, unlink_user, user_links};
