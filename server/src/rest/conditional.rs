//! Conditional requests. Every JSON `GET` answered 200 carries a strong `ETag` (a handler that knows
//! its resource sets the resource's own tag, which `If-Match` is compared with; a listing gets a
//! digest of its body) and `If-None-Match` naming it answers `304` without a body. `If-Match`
//! on a write becomes the core's [`Precondition`], checked inside the write's transaction.

use std::convert::Infallible;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use headers::Header;
use roster::domain::precondition::Precondition;
use roster::services::conditional::{digest_tag, shown_with_tag};
use serde::Serialize;

use super::error::ApiError;

/// The largest body given a digest tag: far above any page the API answers.
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

/// `If-Match` as sent, for the core to compare. A value that is not text matches nothing.
pub struct IfMatch(pub Precondition);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(IfMatch(match parts.headers.get(IF_MATCH) {
            None => Precondition::None,
            Some(value) => value.to_str().map_or_else(
                |_| Precondition::OneOf(Vec::new()),
                Precondition::from_if_match,
            ),
        }))
    }
}

/// A documented reply that carries one resource under one field, `{"<FIELD>": resource}`.
pub trait Envelope {
    const FIELD: &'static str;
    type Resource: Serialize;
}

/// The reply `R`, served with its resource's own tag. The resource is serialised once, for the
/// body and the tag alike.
pub struct Shown<R>(
    Result<(HeaderValue, Vec<u8>), serde_json::Error>,
    std::marker::PhantomData<R>,
);

/// Shows `resource` as the reply `R`.
pub fn shown<R: Envelope>(resource: &R::Resource) -> Shown<R> {
    let name = R::FIELD;
    Shown(
        shown_with_tag(resource).map(|(resource, tag)| {
            let tag =
                HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
            let mut body = Vec::with_capacity(resource.len() + name.len() + 5);
            body.extend_from_slice(b"{\"");
            body.extend_from_slice(name.as_bytes());
            body.extend_from_slice(b"\":");
            body.extend_from_slice(&resource);
            body.push(b'}');
            (tag, body)
        }),
        std::marker::PhantomData,
    )
}

impl<R> IntoResponse for Shown<R> {
    fn into_response(self) -> Response {
        match self.0 {
            Ok((tag, body)) => (
                [
                    (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                    (ETAG, tag),
                ],
                body,
            )
                .into_response(),
            Err(_) => ApiError::Http(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
                .into_response(),
        }
    }
}

/// Whether `If-None-Match` names `tag` (compared weakly, as RFC 9110 asks for this header); a
/// header that cannot be read names nothing.
fn none_match_names(asked: &[HeaderValue], tag: &str) -> bool {
    if asked.is_empty() {
        return false;
    }
    let Ok(tag) = tag.parse::<headers::ETag>() else {
        return false;
    };
    headers::IfNoneMatch::decode(&mut asked.iter())
        .is_ok_and(|condition| !condition.precondition_passes(&tag))
}

/// Tags every successful JSON `GET` and answers `304` to a client that already holds its version.
pub async fn tag_reads(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let asked: Vec<HeaderValue> = request
        .headers()
        .get_all(IF_NONE_MATCH)
        .iter()
        .cloned()
        .collect();
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::OK || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match parts.headers.get(ETAG) {
        Some(_) => Body::new(body),
        None => {
            let Ok(bytes) = to_bytes(Body::new(body), MAX_TAGGED_BODY).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            if let Ok(tag) = HeaderValue::from_str(&digest_tag(&bytes)) {
                parts.headers.insert(ETAG, tag);
            }
            Body::from(bytes)
        }
    };
    let tag = parts
        .headers
        .get(ETAG)
        .and_then(|tag| tag.to_str().ok())
        .unwrap_or_default();
    if none_match_names(&asked, tag) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [
            ETAG,
            axum::http::header::CACHE_CONTROL,
            axum::http::header::VARY,
        ] {
            if let Some(value) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(values: &[&'static str]) -> Vec<HeaderValue> {
        values.iter().map(|v| HeaderValue::from_static(v)).collect()
    }

    #[test]
    fn if_none_match_names_a_tag_weakly_in_any_line_or_by_wildcard() {
        let tag = "\"abc\"";
        assert!(none_match_names(&asked(&["\"abc\""]), tag));
        assert!(none_match_names(&asked(&["W/\"abc\""]), tag));
        assert!(none_match_names(&asked(&["\"x\", \"abc\""]), tag));
        assert!(none_match_names(&asked(&["\"x\"", "\"abc\""]), tag));
        assert!(none_match_names(&asked(&["*"]), tag));
        assert!(!none_match_names(&asked(&["\"abd\""]), tag));
        assert!(!none_match_names(&asked(&[]), tag));
        assert!(!none_match_names(&asked(&["not a tag"]), tag));
    }
}
