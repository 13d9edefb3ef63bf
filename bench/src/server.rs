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

impl Running {
    /// With `edits` (`from`, `to`) made to the demo configuration besides
    /// the bench's own.
    pub async fn start(edits: &[(String, String)]) -> Self {
        let redis = RedisServer::start();
        let config = sso_fleet::load_config(edits);
        let path = std::env::temp_dir().join(format!("sso-bench-{}.toml", std::process::id()));
        std::fs::write(&path, config).unwrap();
        let port = sso_fleet::free_port();
        let bin = sso_fleet::release_server();
        let server = Command::new(&bin)
            .arg("--config")
            .arg(&path)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--admin-listen", "127.0.0.1:0"])
            .args(["--store", &store(&redis), "--log", "warn"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} (run `make build`): {e}", bin.display()));
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

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.server.id()
    }

    /// Resident set size of the server process, KiB.
    pub fn rss_kib(&self) -> u64 {
        sso_fleet::rss_kib(self.server.id())
    }
}

/// The server's store: the bench's Redis, or `SSO_BENCH_STORE` (`memory`
/// shows what the HTTP figures are worth with no store round trip; the
/// figures that read Redis themselves need Redis).
fn store(redis: &RedisServer) -> String {
    std::env::var("SSO_BENCH_STORE").unwrap_or_else(|_| redis.url())
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
    redis_info(url, "memory", "used_memory")
}

/// One numeric field of a section of `INFO`.
pub fn redis_info(url: &str, section: &str, field: &str) -> i64 {
    let port = url::Url::parse(url).unwrap().port().unwrap();
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "INFO", section])
        .output()
        .expect("redis-cli");
    let prefix = format!("{field}:");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
}
