//! The processes under test: a fresh redis-server and the release sso-server.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sso_test_support::RedisServer;

pub struct Running {
    redis: RedisServer,
    server: Child,
    port: u16,
    _config: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Running {
    /// With `edits` (`from`, `to`) made to the demo configuration besides
    /// the bench's own.
    pub async fn start(edits: &[(String, String)]) -> Self {
        let redis = RedisServer::start();
        // The demo configuration, with sign-in throttling lifted (the bench
        // signs in from one address as fast as it can) and failed client
        // authentications unthrottled, so the wrong-secret flood has every
        // secret checked: the worst case, an attacker spread over many
        // addresses and clients. The JWKS file is named by its full path.
        let jwks = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sso-server/config/partner-idp.jwks.json"
        );
        let mut config = sso_server::config::DEMO_TOML.to_owned();
        for (from, to) in [
            ("attempts_per_ip = 60", "attempts_per_ip = 100000000"),
            (
                "auth_failures_per_ip = 20",
                "auth_failures_per_ip = 100000000",
            ),
            (
                "auth_failures_per_client = 100",
                "auth_failures_per_client = 100000000",
            ),
            (
                "jwks_file = \"partner-idp.jwks.json\"",
                &format!("jwks_file = \"{jwks}\""),
            ),
        ] {
            assert!(config.contains(from), "the demo config has no `{from}`");
            config = config.replace(from, to);
        }
        for (from, to) in edits {
            assert!(
                config.contains(from.as_str()),
                "the demo config has no `{from}`"
            );
            config = config.replace(from.as_str(), to);
        }
        let path = std::env::temp_dir().join(format!("sso-bench-{}.toml", std::process::id()));
        std::fs::write(&path, config).unwrap();
        let port = free_port();
        let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/sso-server");
        let server = Command::new(bin)
            .arg("--config")
            .arg(&path)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--admin-listen", "127.0.0.1:0"])
            .args(["--store", &redis.url(), "--log", "warn"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} (run `make build`): {e}"));
        let run = Self {
            redis,
            server,
            port,
            _config: path,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = reqwest::get(run.url("/readyz"))
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "sso-server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        run
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn redis_url(&self) -> String {
        self.redis.url()
    }

    /// Resident set size of the server process, KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.server.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_file(&self._config);
    }
}

/// `used_memory` from `INFO memory`, bytes.
pub fn redis_used_memory(url: &str) -> i64 {
    let port = url::Url::parse(url).unwrap().port().unwrap();
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "INFO", "memory"])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory")
}
