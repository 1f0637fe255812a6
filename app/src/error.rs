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
        // Arguments that do not parse are the caller's mistake, not the server's.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
        ) && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            response.set_status(http::StatusCode::BAD_REQUEST);
        }
        AppError::Transport(value.to_string())
    }
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        // A plain form post (no WebAssembly yet) is answered with a redirect carrying the error,
        // which a status of our own would break; the server function client reads the status.
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::use_context;
            let plain_form = use_context::<http::request::Parts>().is_some_and(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
            });
            if let (false, Some(response)) =
                (plain_form, use_context::<leptos_axum::ResponseOptions>())
            {
                response.set_status(crate::status::status_of(&error));
            }
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
