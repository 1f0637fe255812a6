//! The HTTP edge: what every request passes before it reaches the REST API or a server function,
//! applied once in [`build_app`](crate::build_app) so both doors sit behind the same rules.

mod client;
mod headers;
mod origin;
mod timeout;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use roster_app::error::AppError;
use roster_app::site::Site;

use tower_http::catch_panic::CatchPanicLayer;

use crate::rest::error::ApiError;

pub use headers::{CspNonce, HeaderSettings};
pub use timeout::REQUEST_TIMEOUT;

/// The prefix of the console's server functions, which answer errors in their own encoding.
const SERVER_FN_PREFIX: &str = "/_roster/";

/// Wraps the application in the edge: one layer, so that a request pays for one, around a
/// catch for panics, so that no route (a page, a server function, the API) answers a panic by
/// dropping the connection.
pub fn apply(router: Router, site: Site, hashed_assets: bool) -> Router {
    let settings = Arc::new(HeaderSettings {
        site,
        hashed_assets,
    });
    router
        .layer(CatchPanicLayer::custom(|_| {
            edge_error(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        }))
        .layer(middleware::from_fn_with_state(settings, guard))
}

/// The edge, in the order a request meets it: headers on every answer (whatever answers it),
/// then the time limit, the client's address, and the cross-site check closest to the routes.
async fn guard(
    State(settings): State<Arc<HeaderSettings>>,
    mut request: Request,
    next: Next,
) -> Response {
    let prepared = headers::prepare(&mut request);
    let uri = request.uri().clone();
    let answer = async {
        if let Some(refusal) = client::resolve(&settings.site, &mut request) {
            return refusal;
        }
        match origin::refusal(&settings.site, &request) {
            Some(refusal) => refusal,
            None => next.run(request).await,
        }
    };
    let response = timeout::limit_time(&uri, answer).await;
    headers::finish(&settings, prepared, response)
}

/// The refusal of a cross-site write, in the encoding of the door the request was for.
fn refuse_cross_site(path: &str) -> Response {
    let status = StatusCode::FORBIDDEN;
    if path.starts_with(SERVER_FN_PREFIX) {
        (status, Json(AppError::CrossSite)).into_response()
    } else {
        edge_error(status, "cross-site request refused")
    }
}

/// A failure of the edge itself (no core error stands for it), as the contract's envelope.
fn edge_error(status: StatusCode, message: &'static str) -> Response {
    ApiError::Http(status, message).into_response()
}
