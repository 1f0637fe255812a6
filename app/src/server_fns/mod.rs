//! Server functions, one per file, grouped by resource. They live under `/_roster`, which
//! cannot collide with the REST API under `/api`.

pub mod stats;

#[cfg(feature = "ssr")]
pub(crate) fn core() -> Result<roster::Core, crate::error::AppError> {
    leptos::prelude::use_context::<roster::Core>().ok_or_else(|| {
        crate::error::AppError::from(roster::CoreError::Internal(
            "BUG: the core is not provided to server functions".to_owned(),
        ))
    })
}
