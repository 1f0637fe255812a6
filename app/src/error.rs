use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use roster::{CoreError, Refusal};
use serde::{Deserialize, Serialize};

/// The console's one error, what its server functions answer and its components show. A
/// refusal carries the core's reason as typed data (no free text, so one planted in a URL says
/// nothing of its own); an internal failure carries nothing, the server having logged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Refused(Refusal),
    /// The server is busy or cannot reach its database; trying again shortly works.
    #[error("service unavailable, retry later")]
    Unavailable,
    #[error("internal server error")]
    Internal,
    /// The request's arguments could not be read: the form sent is not what the server expects.
    #[error("{0}")]
    Unreadable(String),
    /// The edge refused a write sent from another site's page.
    #[error("cross-site request refused")]
    CrossSite,
    /// The request or its answer went astray between the browser and the server.
    #[error("{0}")]
    Unreachable(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Arguments that do not parse are the caller's mistake, not the server's; so is an
        // error (say one carried in a URL) that is not one of ours.
        let unreadable = matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
        );
        if !unreadable {
            return AppError::Unreachable(value.to_string());
        }
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::BAD_REQUEST);
        }
        AppError::Unreadable(value.to_string())
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
            CoreError::Refused(refusal) => AppError::Refused(refusal),
            CoreError::Busy | CoreError::Unavailable => AppError::Unavailable,
            CoreError::Internal(source) => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %source, source = ?std::error::Error::source(&source), "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = source;
                AppError::Internal
            }
        }
    }
}
