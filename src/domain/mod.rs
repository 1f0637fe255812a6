//! Domain types: each value is parsed once, by one fallible constructor, with the contract's
//! rules. The same code runs in the browser (console forms) and on the server.

pub mod activity;
pub mod api_key;
pub mod bulk;
pub mod export;
pub mod fields;
pub mod mail;
#[cfg(feature = "server")]
pub mod oauth;
pub mod page;
pub mod precondition;
pub mod provisioning;
pub mod role;
pub mod security_key;
pub mod server;
pub mod session;
pub mod two_factor;
pub mod user;
pub mod webhook;

pub(crate) mod serde_helpers {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
    pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }

    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-26T21:55:37.123456Z`.
    pub fn timestamp<S: Serializer>(
        value: &chrono::DateTime<chrono::Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }

    pub fn optional_timestamp<S: Serializer>(
        value: &Option<chrono::DateTime<chrono::Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => timestamp(value, serializer),
            None => serializer.serialize_none(),
        }
    }
}
