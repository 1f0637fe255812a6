use super::openapi::Errors;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header::RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use roster::CoreError;
use roster_app::status::status_of;

/// The REST door's one error type: a core error, a body that is not the JSON expected, or a
/// failure of HTTP itself (no route, wrong method, body too large). Mapped to status and
/// `{"errors": [...]}` here and nowhere else.
#[derive(Debug)]
pub enum ApiError {
    Core(CoreError),
    /// `invalid payload: <reason>`: the body is not JSON, or not the expected shape.
    Payload(String),
    Http(StatusCode, &'static str),
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        ApiError::Core(error)
    }
}

pub fn error_body(status: StatusCode, messages: Vec<String>) -> Response {
    (status, Json(Errors { errors: messages })).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Core(error) => {
                if let CoreError::Internal(source) = &error {
                    tracing::error!(error = %source, source = ?std::error::Error::source(source), "request failed");
                }
                let mut response = error_body(status_of(&error), error.messages());
                if let Some(seconds) = error.retry_after() {
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            ApiError::Payload(reason) => error_body(
                StatusCode::BAD_REQUEST,
                vec![format!("invalid payload: {reason}")],
            ),
            ApiError::Http(status, message) => error_body(status, vec![message.to_owned()]),
        }
    }
}
