//! Figure 13: the code check — `/sso/check` with `response_type=code`, what
//! every site backend uses — beside the token check, `/healthz`, and node
//! oidc-provider's `prompt=none` (`bench/peer/provider.mjs`: in-memory
//! adapter, one signed-in browser session), in alternating wrk rounds; the
//! round with the median code/peer ratio is reported.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use crate::server::Running;
use crate::{API_ROUNDS, wrk};

pub struct Figures {
    pub code: wrk::Load,
    pub token: wrk::Load,
    pub health: wrk::Load,
    pub peer: wrk::Load,
    /// code check / peer per round, sorted.
    pub ratios: Vec<f64>,
}

/// node oidc-provider on a free port, killed when dropped.
struct Peer {
    child: Child,
    url: String,
    cookie: String,
}

impl Peer {
    fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peer/provider.mjs");
        let port = sso_fleet::free_port();
        let mut child = Command::new("node")
            .arg(script)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node {script}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.is_empty() {
            let mut why = String::new();
            child.stderr.take().unwrap().read_to_string(&mut why).ok();
            panic!("oidc-provider did not start (make deps-bench installs it): {why}");
        }
        let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
        Peer {
            url: ready["url"].as_str().unwrap().to_owned(),
            cookie: ready["cookie"].as_str().unwrap().to_owned(),
            child,
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    check_path: &str,
    cookie: &str,
) -> Figures {
    let code_path = format!("{check_path}&response_type=code");
    // The rate counts only if the answer holds a code: the first one, checked.
    let probe = http
        .get(run.url(&code_path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = probe.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("%22code%22:%22") && !location.contains("accessToken"),
        "{location}"
    );
    let peer = Peer::start();
    let rounds: Vec<[wrk::Load; 4]> = (0..API_ROUNDS)
        .map(|_| {
            [
                wrk::run(&run.url(&code_path), Some(cookie)),
                wrk::run(&run.url(check_path), Some(cookie)),
                wrk::run(&run.url("/healthz"), None),
                wrk::run(&peer.url, Some(&peer.cookie)),
            ]
        })
        .collect();
    drop(peer);
    let ([code, token, health, peer], ratios) = wrk::median_round(rounds, |r| r[0].rps / r[3].rps);
    Figures {
        code,
        token,
        health,
        peer,
        ratios,
    }
}
