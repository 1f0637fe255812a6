//! A real OpenID provider for the tests: npm's certified `oidc-provider`
//! (`end2end/oidc/provider.mjs`), run by Node as a process of its own, and a browser's part in
//! it: following its redirects and filling in its development sign-in and consent pages.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running provider, killed when dropped.
pub struct Idp {
    child: Child,
    /// Held open: a provider writing to a closed pipe would die.
    _output: BufReader<std::process::ChildStdout>,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const CLIENT_ID: &str = "roster";
pub const CLIENT_SECRET: &str = "roster-client-secret";

impl Idp {
    /// Starts a provider on `port` that knows one client, Roster, coming back to `redirect_uri`;
    /// one gone wrong when `forged` names what: it signs each ID token again with that one thing
    /// changed (`audience`, `issuer`, `expired` or `key`; see `provider.mjs`), else nothing.
    pub fn forging(port: u16, redirect_uri: &str, forged: &str) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let mut child = Command::new("node")
            .args([script, &port.to_string(), CLIENT_ID, CLIENT_SECRET, redirect_uri])
            .env("ROSTER_OIDC_FORGE", forged)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the OpenID provider (end2end's npm packages installed: .ci/setup --test)");
        let stdout = child.stdout.take().expect("BUG: piped stdout");
        let mut output = BufReader::new(stdout);
        let mut line = String::new();
        output
            .read_line(&mut line)
            .expect("the provider says it is ready");
        assert!(
            line.starts_with("ready "),
            "the provider did not start: {line}"
        );
        let _ = port;
        Idp {
            child,
            _output: output,
        }
    }
}

/// A browser at the provider: follows `authorize` through the sign-in and consent pages as
/// `login`, and answers the `code` and `state` the provider sends back to Roster.
pub async fn sign_in_at_provider(authorize: &str, login: &str) -> (String, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let mut url = authorize.to_owned();
    for _ in 0..12 {
        if let Some(query) = url.split_once("/api/auth/oauth/").map(|(_, rest)| rest) {
            let query = query.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let pairs: std::collections::HashMap<String, String> = url_pairs(query);
            return (
                pairs.get("code").cloned().unwrap_or_default(),
                pairs.get("state").cloned().unwrap_or_default(),
            );
        }
        let reply = browser
            .get(&url)
            .send()
            .await
            .expect("the provider answers");
        if reply.status().is_redirection() {
            url = absolute(&url, reply.headers()["location"].to_str().unwrap());
            continue;
        }
        let page = reply.text().await.expect("a page");
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a form at the provider");
        let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        let reply = browser
            .post(absolute(&url, action))
            .form(&form)
            .send()
            .await
            .expect("the provider takes the form");
        url = absolute(
            &url,
            reply.headers()["location"].to_str().expect("a redirect"),
        );
    }
    panic!("the provider never sent the browser back to Roster");
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        return location.to_owned();
    }
    let origin: String = base.split('/').take(3).collect::<Vec<_>>().join("/");
    format!("{origin}{location}")
}

fn url_pairs(query: &str) -> std::collections::HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            (
                k.to_owned(),
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect()
}
