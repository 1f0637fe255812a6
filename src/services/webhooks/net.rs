//! Where webhooks may go. A name is resolved here and only the addresses that pass are handed
//! to the connection, so a name that resolves to an inner address (or is made to, between a
//! check and the connection: DNS rebinding) reaches nothing inside. Hosts an operator lists in
//! `ROSTER_WEBHOOK_ALLOW_HOSTS` may resolve anywhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an address lies outside the machine and its networks: not loopback, private,
/// link-local (cloud metadata lives there), shared (CGNAT), unspecified, multicast or reserved.
pub(crate) fn reachable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return reachable(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x0064)
        }
    }
}

/// Whether `host` (a name or an address, as in the URL) is on the operator's list.
pub(crate) fn allowed_host(allow: &[String], host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    allow.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// The resolver webhooks are sent with.
#[derive(Clone, Debug)]
pub(crate) struct GuardedResolver {
    pub(crate) allow: Arc<Vec<String>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let listed = allowed_host(&allow, &host);
            let kept: Vec<SocketAddr> = addresses
                .into_iter()
                .filter(|address| listed || reachable(address.ip()))
                .collect();
            if kept.is_empty() {
                return Err(
                    format!("{host} resolves only to addresses webhooks may not reach").into(),
                );
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_addresses_are_unreachable() {
        for inner in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!reachable(inner.parse().unwrap()), "{inner}");
        }
        for outer in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(reachable(outer.parse().unwrap()), "{outer}");
        }
        assert!(allowed_host(&["127.0.0.1".to_owned()], "127.0.0.1"));
        assert!(allowed_host(&["::1".to_owned()], "[::1]"));
        assert!(!allowed_host(&["example.com".to_owned()], "evil.com"));
    }
}
