//! Where Roster is reached from: its public URL (which decides https, the cookie's name and the
//! origin that writes must come from) and the proxies whose forwarding headers it believes.

use std::net::IpAddr;

use ipnet::IpNet;

/// The scheme and authority of `ROSTER_PUBLIC_URL`, e.g. `https://roster.example.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin {
    https: bool,
    authority: String,
}

impl PublicOrigin {
    /// Parses `http(s)://host[:port][/path]`; the path is ignored.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(format!("`{url}` is not an http(s) URL")),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("`{url}` has no host, or carries credentials"));
        }
        Ok(Self {
            https,
            authority: authority.to_ascii_lowercase(),
        })
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The origin as a browser sends it in `Origin`.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.authority)
    }
}

/// The client's address as the edge worked it out, carried in request extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The site settings both doors share.
#[derive(Clone, Debug, Default)]
pub struct Site {
    pub public: Option<PublicOrigin>,
    pub trusted_proxies: Vec<IpNet>,
}

/// The cookie of a session over plain http; over https it is `__Host-` prefixed, which browsers
/// accept only from a secure origin, for the whole host, so no sibling subdomain can plant one.
pub const SESSION_COOKIE: &str = "roster_session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-roster_session";

impl Site {
    /// Reads `ROSTER_PUBLIC_URL` and `ROSTER_TRUSTED_PROXIES` (comma-separated addresses or
    /// networks, e.g. `10.0.0.0/8,127.0.0.1`).
    pub fn new(public_url: Option<&str>, trusted_proxies: Option<&str>) -> Result<Self, String> {
        let public = public_url
            .filter(|u| !u.trim().is_empty())
            .map(|u| PublicOrigin::parse(u.trim()))
            .transpose()?;
        let trusted_proxies = trusted_proxies
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse_network)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            public,
            trusted_proxies,
        })
    }

    pub fn is_https(&self) -> bool {
        self.public.as_ref().is_some_and(PublicOrigin::is_https)
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.is_https() {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.trusted_proxies
            .iter()
            .any(|net| net.contains(&address))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    /// nearest untrusted address of `X-Forwarded-For` (read from the right, where the proxies
    /// this side of the client appended theirs).
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(chain) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for hop in chain.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(address) => {
                    client = address;
                    if !self.trusts(address) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }

    /// Whether a browser's `Origin` names this site: the public origin when one is set, or the
    /// host the request was sent to.
    pub fn is_own_origin(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.to_ascii_lowercase();
        if let Some(public) = &self.public
            && origin == public.origin()
        {
            return true;
        }
        let authority = origin.split_once("://").map(|(_, a)| a);
        matches!((authority, host), (Some(a), Some(h)) if a == h.to_ascii_lowercase())
    }
}

fn parse_network(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an IP address or network"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(public: Option<&str>, proxies: &str) -> Site {
        Site::new(public, Some(proxies)).expect("valid settings")
    }

    #[test]
    fn https_public_urls_get_the_host_prefixed_cookie() {
        assert_eq!(
            site(Some("https://r.example.com/"), "").session_cookie_name(),
            SECURE_SESSION_COOKIE
        );
        assert_eq!(
            site(Some("http://r.example.com"), "").session_cookie_name(),
            SESSION_COOKIE
        );
        assert_eq!(site(None, "").session_cookie_name(), SESSION_COOKIE);
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(Site::new(Some("ftp://x"), None).is_err());
        assert!(Site::new(Some("https://user:pw@x"), None).is_err());
        assert!(Site::new(None, Some("10.0.0.0/33")).is_err());
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        let trusting = site(None, "10.0.0.0/8");
        assert_eq!(
            trusting.client_address(proxy, Some("198.51.100.7, 10.0.0.2")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusting.client_address(stranger, Some("198.51.100.7")),
            stranger
        );
        assert_eq!(
            site(None, "").client_address(proxy, Some("198.51.100.7")),
            proxy
        );
        assert_eq!(
            trusting.client_address(proxy, Some("spoofed, 198.51.100.7")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn own_origin_is_the_host_or_the_public_origin() {
        let plain = site(None, "");
        assert!(plain.is_own_origin("http://127.0.0.1:3000", Some("127.0.0.1:3000")));
        assert!(!plain.is_own_origin("https://evil.example", Some("127.0.0.1:3000")));
        assert!(!plain.is_own_origin("null", Some("127.0.0.1:3000")));
        let public = site(Some("https://roster.example.com"), "");
        assert!(public.is_own_origin("https://Roster.example.com", Some("internal:3000")));
        assert!(!public.is_own_origin("https://sub.roster.example.com", Some("internal:3000")));
    }
}
