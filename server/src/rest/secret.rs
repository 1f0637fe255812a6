//! Replies that hold a secret shown once (a new API key, recovery codes, a two-factor secret)
//! say so by their type: no layer keeps their body, so an idempotent retry of one is told that
//! its reply cannot be repeated.

use axum::response::{IntoResponse, Response};

/// A reply holding a secret.
pub struct Secret<T>(pub T);

/// The mark [`Secret`] leaves on its response, for the layers that would keep a body.
#[derive(Clone, Copy, Debug)]
pub struct HoldsSecret;

impl<T: IntoResponse> IntoResponse for Secret<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.extensions_mut().insert(HoldsSecret);
        response
    }
}
