//! SCIM's error message (RFC 7644 §3.12): the door's one error type, mapped from the core's
//! errors here and nowhere else.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::{CoreError, Refusal};
use roster_app::status::status_of;

#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
    retry_after: Option<u64>,
}

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// `400 invalidValue`: a value a rule refuses, or a required one missing.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    /// `400 invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }

    /// `400 invalidPath`: a PATCH path Roster cannot follow.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidPath"), detail)
    }

    /// `400 mutability`: a change to what cannot change (`id`, `meta`).
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("mutability"), detail)
    }

    /// `400 invalidSyntax`: a request that is not what SCIM asks.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }
}

impl From<CoreError> for ScimError {
    fn from(error: CoreError) -> Self {
        if let CoreError::Internal(source) = &error {
            tracing::error!(error = %source, source = ?std::error::Error::source(source), "provisioning request failed");
        }
        let status = status_of(&error);
        let scim_type = match &error {
            CoreError::Refused(Refusal::Conflict(_) | Refusal::EmailInUse) => Some("uniqueness"),
            CoreError::Refused(Refusal::Invalid(errors)) => {
                if errors.0.iter().any(|e| e.field == "filter") {
                    Some("invalidFilter")
                } else {
                    Some("invalidValue")
                }
            }
            CoreError::Refused(Refusal::InvalidRelation(_) | Refusal::InvalidUuid(_)) => {
                Some("invalidValue")
            }
            _ => None,
        };
        let status = match &error {
            // SCIM names a refused uniqueness rule 409 whatever the rule.
            CoreError::Refused(Refusal::Conflict(_) | Refusal::EmailInUse) => StatusCode::CONFLICT,
            _ => status,
        };
        let detail = match &error {
            CoreError::Internal(_) => "internal server error".to_owned(),
            other => other.messages().join("; "),
        };
        Self {
            status,
            scim_type,
            detail,
            retry_after: error.retry_after(),
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = scim_type.into();
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(super::SCIM_JSON),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
