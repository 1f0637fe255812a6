//! CSV downloads: the core's chunks streamed as an attachment.

use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use roster::services::ExportStream;

/// A CSV download streamed from the core's chunks.
pub fn reply(chunks: ExportStream, filename: &str) -> Response {
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        let chunk = chunks.recv().await?;
        Some((chunk.map(axum::body::Bytes::from), chunks))
    });
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
