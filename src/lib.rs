//! Roster's domain core.
//!
//! Without features it holds only what the browser needs too: the domain types with their
//! validation rules, the permission catalogue and the error type. The `server` feature adds
//! storage (SQLite and PostgreSQL through sqlx), password and token hashing, and the services
//! that both front doors (REST and the console's server functions) call.

pub mod domain;
pub mod error;
pub mod permission;
pub mod principal;

#[cfg(feature = "server")]
pub mod secret;
#[cfg(feature = "server")]
pub mod services;
#[cfg(feature = "server")]
pub mod store;

pub use domain::precondition::Precondition;
pub use error::{Conflict, CoreError, Entity, FieldError, FieldErrors, Refusal};
pub use permission::Permission;
pub use principal::{Credential, Principal};

#[cfg(feature = "server")]
pub use services::Core;
