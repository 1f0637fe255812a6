use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use roster::CoreError;
use serde::{Deserialize, Serialize};

/// The one error type of the console's server functions: a core error, whose meaning the
/// components keep (field errors land on their fields), or a transport failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Core(CoreError),
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(crate::status::status_of(&error));
        }
        match error {
            CoreError::Internal(details) => {
                #[cfg(feature = "ssr")]
                tracing::error!(%details, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = details;
                AppError::Core(CoreError::Internal(String::new()))
            }
            other => AppError::Core(other),
        }
    }
}
