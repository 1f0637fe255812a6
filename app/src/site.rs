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
        let parsed = url::Url::parse(url).map_err(|_| format!("`{url}` is not an http(s) URL"))?;
        let https = match parsed.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(format!("`{url}` is not an http(s) URL")),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!("`{url}` has no host, or carries credentials"));
        }
        let host = parsed
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| format!("`{url}` has no host, or carries credentials"))?;
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Self { https, authority })
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
/// The console's sign-in between the password and the code: its challenge token, kept out of
/// the URL (and so out of history, logs and `Referer`).
pub const CHALLENGE_COOKIE: &str = "roster_challenge";
pub const SECURE_CHALLENGE_COOKIE: &str = "__Host-roster_challenge";
/// A sign-in through a provider between leaving for it and coming back: its `state`, which the
/// callback must be sent with, so that a callback from another browser does nothing.
pub const OAUTH_STATE_COOKIE: &str = "roster_oauth";
pub const SECURE_OAUTH_STATE_COOKIE: &str = "__Host-roster_oauth";

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

    pub fn challenge_cookie_name(&self) -> &'static str {
        if self.is_https() {
            SECURE_CHALLENGE_COOKIE
        } else {
            CHALLENGE_COOKIE
        }
    }

    pub fn oauth_state_cookie_name(&self) -> &'static str {
        if self.is_https() {
            SECURE_OAUTH_STATE_COOKIE
        } else {
            OAUTH_STATE_COOKIE
        }
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.trusted_proxies
            .iter()
            .any(|net| net.contains(&address))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    /// nearest untrusted address of `X-Forwarded-For` (every line of it in order, read from the
    /// right, where the proxies this side of the client appended theirs). A hop may carry a port
    /// (`203.0.113.9:51234`, `[2001:db8::1]:443`). A hop that cannot be read, reached before the
    /// client, refuses the request: falling back to the proxy would count every client as one.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> Result<IpAddr, UnreadableHop> {
        if !self.trusts(peer) {
            return Ok(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = parse_hop(hop).ok_or(UnreadableHop)?;
            if !self.trusts(client) {
                break;
            }
        }
        Ok(client)
    }

    /// Whether a browser's `Origin` names this site: exactly the public origin when one is set;
    /// without one, the plain `http://` origin of the host the request was sent to (a site
    /// served over TLS sets its public URL).
    pub fn is_own_origin(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.to_ascii_lowercase();
        match (&self.public, host) {
            (Some(public), _) => origin == public.origin(),
            (None, Some(host)) => origin == format!("http://{}", host.to_ascii_lowercase()),
            (None, None) => false,
        }
    }
}

/// An `X-Forwarded-For` hop that is not an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnreadableHop;

/// One hop of `X-Forwarded-For`: an address, with or without a port (IPv6 with one in
/// brackets).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse::<IpAddr>().ok())
        })
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
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        let trusting = site(None, "10.0.0.0/8");
        assert_eq!(
            trusting.client_address(proxy, ["198.51.100.7, 10.0.0.2"]),
            Ok(client)
        );
        assert_eq!(
            trusting.client_address(stranger, ["198.51.100.7"]),
            Ok(stranger)
        );
        assert_eq!(
            site(None, "").client_address(proxy, ["198.51.100.7"]),
            Ok(proxy)
        );
        assert_eq!(
            trusting.client_address(proxy, ["spoofed, 198.51.100.7"]),
            Ok(client)
        );
        assert_eq!(trusting.client_address(proxy, []), Ok(proxy));
    }

    #[test]
    fn every_forwarded_line_counts_in_order_and_ports_are_dropped() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusting = site(None, "10.0.0.0/8");
        assert_eq!(
            trusting.client_address(proxy, ["198.51.100.7", "203.0.113.9, 10.0.0.2"]),
            Ok("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            trusting.client_address(proxy, ["203.0.113.9:51234"]),
            Ok("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            trusting.client_address(proxy, ["[2001:db8::7]:443, 10.0.0.3:80"]),
            Ok("2001:db8::7".parse().unwrap())
        );
        assert_eq!(
            trusting.client_address(proxy, ["[2001:db8::7]"]),
            Ok("2001:db8::7".parse().unwrap())
        );
    }

    #[test]
    fn an_unreadable_hop_before_the_client_refuses_instead_of_blaming_the_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusting = site(None, "10.0.0.0/8");
        assert_eq!(
            trusting.client_address(proxy, ["unknown"]),
            Err(UnreadableHop)
        );
        assert_eq!(
            trusting.client_address(proxy, ["198.51.100.7", "garbage, 10.0.0.2"]),
            Err(UnreadableHop)
        );
    }

    #[test]
    fn own_origin_is_the_host_or_the_public_origin() {
        let plain = site(None, "");
        assert!(plain.is_own_origin("http://127.0.0.1:3000", Some("127.0.0.1:3000")));
        assert!(!plain.is_own_origin("https://evil.example", Some("127.0.0.1:3000")));
        assert!(!plain.is_own_origin("null", Some("127.0.0.1:3000")));
        assert!(!plain.is_own_origin("https://127.0.0.1:3000", Some("127.0.0.1:3000")));
        let public = site(Some("https://roster.example.com"), "");
        assert!(public.is_own_origin("https://Roster.example.com", Some("internal:3000")));
        assert!(!public.is_own_origin("https://sub.roster.example.com", Some("internal:3000")));
        assert!(!public.is_own_origin("http://roster.example.com", Some("roster.example.com")));
        assert!(!public.is_own_origin("http://internal:3000", Some("internal:3000")));
        let spelled_out = site(Some("HTTPS://Roster.Example.com:443/console/"), "");
        assert_eq!(
            spelled_out.public.map(|p| p.origin()).as_deref(),
            Some("https://roster.example.com")
        );
        let with_port = site(Some("http://10.0.0.5:8080"), "");
        assert!(with_port.is_own_origin("http://10.0.0.5:8080", None));
    }
}
