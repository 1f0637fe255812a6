//! Server functions, one per file, grouped by resource. They live under `/_roster`, which
//! cannot collide with the REST API under `/api`. Each one is a thin adapter: it finds the
//! signed-in principal, converts form input into core input and calls the core.

pub mod account;
pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod jobs;
pub mod mail;
pub mod oauth_providers;
pub mod provisioning;
pub mod roles;
pub mod servers;
pub mod sessions;
pub mod stats;
pub mod two_factor;
pub mod users;
pub mod webhooks;

#[cfg(feature = "ssr")]
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) fn core() -> Result<roster::Core, AppError> {
    leptos::prelude::use_context::<roster::Core>().ok_or_else(|| {
        AppError::from(roster::CoreError::internal(
            "BUG: the core is not provided to server functions",
        ))
    })
}

/// What the request presented: the console's session cookie is its only credential.
#[cfg(feature = "ssr")]
pub(crate) fn session_credentials() -> Result<roster::services::Credentials, AppError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>().ok_or_else(|| {
        AppError::from(roster::CoreError::internal(
            "BUG: request parts are not provided to server functions",
        ))
    })?;
    let mut credentials = crate::session::credentials(&parts, &site());
    credentials.authorization = None;
    Ok(credentials)
}

/// Where the request came from, for a new session and the throttles.
#[cfg(feature = "ssr")]
pub(crate) fn client() -> roster::services::ClientInfo {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| crate::session::client_info(&parts))
        .unwrap_or_default()
}

/// The signed-in user of the request.
#[cfg(feature = "ssr")]
pub(crate) async fn principal() -> Result<(roster::Core, roster::Principal), AppError> {
    let core = core()?;
    let principal = core.authenticate(&session_credentials()?).await?;
    Ok((core, principal))
}

/// A form's optional text: an empty field means "not given".
pub fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Sets the session cookie of a sign-in and goes to the users list.
#[cfg(feature = "ssr")]
pub(crate) fn open_session(session: &roster::services::Session) {
    set_cookie(&crate::session::session_cookie(
        &session.token,
        session.expires,
        &site(),
    ));
    leptos_axum::redirect("/users");
}

/// Sends a `Set-Cookie` with the server function's response.
#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The site settings, provided by the server with the core.
#[cfg(feature = "ssr")]
pub(crate) fn site() -> crate::site::Site {
    leptos::prelude::use_context::<crate::site::Site>().unwrap_or_default()
}
