//! The client's address: the socket's peer, or what a trusted proxy says it forwarded.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use roster_app::site::{ClientAddr, Site};

pub async fn resolve_client_address(
    State(site): State<Arc<Site>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok());
        let client = site.client_address(peer, forwarded);
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}
