//! A webhook receiver for the tests: `end2end/webhooks/receiver.mjs`, which verifies every
//! delivery with npm's `standardwebhooks` (the published Standard Webhooks library), run by Node
//! as a process of its own.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// A running receiver, killed when dropped.
pub struct Receiver {
    child: Child,
    _output: BufReader<std::process::ChildStdout>,
    pub port: u16,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    pub fn start() -> Self {
        let port = super::process::free_address().port();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../end2end/webhooks/receiver.mjs"
        );
        let mut child = Command::new("node")
            .args([script, &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the receiver (end2end's npm packages installed: .ci/setup --test)");
        let stdout = child.stdout.take().expect("BUG: piped stdout");
        let mut output = BufReader::new(stdout);
        let mut line = String::new();
        output
            .read_line(&mut line)
            .expect("the receiver says it is ready");
        assert!(
            line.starts_with("ready "),
            "the receiver did not start: {line}"
        );
        Receiver {
            child,
            _output: output,
            port,
        }
    }

    /// Where Roster delivers to.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Forgets what arrived; verifies with `secrets` from now on, answers the first `fail`
    /// deliveries 500, and none at all while `hang`.
    pub async fn expect(&self, secrets: &[&str], fail: u32, hang: bool) {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{}/control", self.port))
            .json(&json!({"secrets": secrets, "fail": fail, "hang": hang}))
            .send()
            .await
            .expect("the receiver takes its orders");
    }

    /// What arrived, in order: `{id, attempt, answered, verifiedWith, error, payload}`.
    pub async fn deliveries(&self) -> Vec<Value> {
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}/deliveries", self.port))
            .send()
            .await
            .expect("the receiver answers")
            .json()
            .await
            .expect("the receiver answers JSON")
    }
}
