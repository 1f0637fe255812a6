//! The client's address: the socket's peer, or what a trusted proxy says it forwarded.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use roster_app::site::{ClientAddr, Site};

/// Puts the client's address ([`ClientAddr`]) in the request's extensions.
pub(super) fn resolve(site: &Site, request: &mut Request) {
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
}
