//! The client's address: the socket's peer, or what a trusted proxy says it forwarded.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::response::Response;
use roster_app::site::{ClientAddr, Site, UnreadableHop};

use super::edge_error;

/// Puts the client's address ([`ClientAddr`]) in the request's extensions; a forwarded chain
/// that cannot be read is refused, with the refusal answered.
pub(super) fn resolve(site: &Site, request: &mut Request) -> Option<Response> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())?;
    let lines: Option<Vec<&str>> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.to_str().ok())
        .collect();
    match lines
        .ok_or(UnreadableHop)
        .and_then(|lines| site.client_address(peer, lines))
    {
        Ok(client) => {
            request.extensions_mut().insert(ClientAddr(client));
            None
        }
        Err(UnreadableHop) => Some(edge_error(
            StatusCode::BAD_REQUEST,
            "x-forwarded-for holds a hop that is not an address",
        )),
    }
}
