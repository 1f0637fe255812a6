//! A time limit on every request, so that nothing a client or the database does holds a
//! connection and its resources forever.

use std::time::Duration;

use axum::http::{StatusCode, Uri};
use axum::response::Response;

/// Longer than any request of Roster takes, even under load (a password hash waits at most 5 s
/// for its turn, a statement at most 10 s on PostgreSQL).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn limit_time(
    uri: &Uri,
    answer: impl std::future::Future<Output = Response>,
) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, answer).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path = %uri.path(), "request timed out");
            super::edge_error(StatusCode::SERVICE_UNAVAILABLE, "request timed out")
        }
    }
}
