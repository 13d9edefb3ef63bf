//! Several `sso-server` processes on one local Redis Cluster, as a site
//! family that outgrew one machine runs them: the same configuration and
//! keys on every instance, each on its own port, and (see [`proxy`]) a
//! round-robin proxy in front. Used by the browser e2e run on many
//! instances (`sso-fleet`), by `make soak` and by the bench's cluster figure.

pub mod flows;
pub mod proxy;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sso_core::config::AccessTokenKey;
use sso_core::oidc::SigningKeys;
use sso_test_support::RedisCluster;

/// How a fleet is started.
pub struct FleetOptions {
    /// The `sso-server` binary.
    pub server_bin: PathBuf,
    /// The configuration file every instance reads (its `store`, `listen`
    /// and keys are given on the command line).
    pub config: PathBuf,
    pub instances: usize,
    /// `--assets-dir` (the browser library), if the instances serve it.
    pub assets_dir: Option<PathBuf>,
    /// `--log` filter.
    pub log: String,
}

/// The running fleet; dropping it stops every process.
pub struct Fleet {
    pub cluster: RedisCluster,
    options: FleetOptions,
    /// Holds the shared ID-token key file.
    dir: PathBuf,
    access_token_key: String,
    instances: Vec<Instance>,
}

struct Instance {
    port: u16,
    child: Child,
}

/// The demo configuration for load: sign-in throttling lifted (a load
/// generator signs in from one address as fast as it can), failed client
/// authentications unthrottled, the partner JWKS named by its full path, and
/// `edits` (`from`, `to`) made besides. Panics if the demo lacks a `from`.
pub fn load_config(edits: &[(String, String)]) -> String {
    let jwks = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sso-core/config/partner-idp.jwks.json"
    );
    let lifted = [
        (
            "attempts_per_ip = 60",
            "attempts_per_ip = 100000000".to_owned(),
        ),
        (
            "auth_failures_per_ip = 20",
            "auth_failures_per_ip = 100000000".to_owned(),
        ),
        (
            "auth_failures_per_client = 100",
            "auth_failures_per_client = 100000000".to_owned(),
        ),
        (
            "jwks_file = \"partner-idp.jwks.json\"",
            format!("jwks_file = \"{jwks}\""),
        ),
    ];
    let mut config = sso_core::config::DEMO_TOML.to_owned();
    let edits = lifted
        .iter()
        .map(|(from, to)| (*from, to.as_str()))
        .chain(edits.iter().map(|(from, to)| (from.as_str(), to.as_str())));
    for (from, to) in edits {
        assert!(config.contains(from), "the demo config has no `{from}`");
        config = config.replace(from, to);
    }
    config
}

/// The form news's page posts to sign a person up (`sign_in` false, at
/// `/oauth/register_native_traditional`) or in (`/oauth/auth_native_traditional`).
pub fn news_form(email: &str, password: &str, sign_in: bool) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("client_id", "news".to_owned()),
        ("flow", "standard".to_owned()),
        ("flow_version", "1".to_owned()),
        ("locale", "en-US".to_owned()),
        ("redirect_uri", "http://news.localhost:8081/".to_owned()),
    ];
    if sign_in {
        f.push(("signInEmailAddress", email.to_owned()));
        f.push(("currentPassword", password.to_owned()));
    } else {
        f.push(("emailAddress", email.to_owned()));
        f.push(("password", password.to_owned()));
        f.push(("displayName", "Load User".to_owned()));
    }
    f
}

/// The release `sso-server` of this workspace (`make build`), or the one
/// `SSO_BENCH_SERVER` names (`make profile`'s, built with frame pointers).
pub fn release_server() -> PathBuf {
    std::env::var_os("SSO_BENCH_SERVER").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/release/sso-server"
            ))
        },
        PathBuf::from,
    )
}

/// A free loopback port (bound, then released for the process to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Fleet {
    /// Starts the cluster, then the instances, and returns once every
    /// instance answers `/readyz`.
    pub async fn start(options: FleetOptions) -> Self {
        let cluster = RedisCluster::start();
        let dir = std::env::temp_dir().join(format!("sso-fleet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the fleet");
        // What every instance must share: the keys that sign access and ID
        // tokens (the configuration refuses a cluster store without them).
        std::fs::write(
            dir.join("id-token-keys.pem"),
            SigningKeys::generate().private_pem(),
        )
        .expect("the ID-token key file");
        let mut fleet = Self {
            cluster,
            options,
            dir,
            access_token_key: AccessTokenKey::generate().to_base64(),
            instances: Vec::new(),
        };
        for _ in 0..fleet.options.instances {
            let port = free_port();
            let child = fleet.spawn(port);
            fleet.instances.push(Instance { port, child });
        }
        for i in 0..fleet.instances.len() {
            fleet.wait_ready(i).await;
        }
        fleet
    }

    fn spawn(&self, port: u16) -> Child {
        let o = &self.options;
        let mut cmd = Command::new(&o.server_bin);
        cmd.arg("--config")
            .arg(&o.config)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--admin-listen", "127.0.0.1:0"])
            .args(["--store", &self.cluster.url()])
            .args(["--log", &o.log])
            .env("SSO_ACCESS_TOKEN_KEY", &self.access_token_key)
            .env("SSO_ID_TOKEN_KEYS", self.dir.join("id-token-keys.pem"))
            .stdout(Stdio::null());
        if let Some(assets) = &o.assets_dir {
            cmd.arg("--assets-dir").arg(assets);
        }
        cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot start {}: {e}", o.server_bin.display());
        })
    }

    async fn wait_ready(&mut self, i: usize) {
        let url = format!("{}/readyz", self.instance_url(i));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            if let Ok(Some(status)) = self.instances[i].child.try_wait() {
                panic!("sso-server instance {i} exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "instance {i} did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `http://127.0.0.1:<port>` of instance `i`.
    pub fn instance_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.instances[i].port)
    }

    pub fn instance_urls(&self) -> Vec<String> {
        (0..self.instances.len())
            .map(|i| self.instance_url(i))
            .collect()
    }

    /// Stops instance `i` (SIGTERM: it finishes what it is serving) and
    /// starts it again on the same port, as a rolling deploy does.
    pub async fn restart_instance(&mut self, i: usize) {
        terminate(&mut self.instances[i].child);
        let port = self.instances[i].port;
        self.instances[i].child = self.spawn(port);
        self.wait_ready(i).await;
    }

    /// Resident set size of instance `i`, KiB.
    pub fn rss_kib(&self, i: usize) -> u64 {
        rss_kib(self.instances[i].child.id())
    }
}

/// SIGTERM, then up to 10 s for the process to finish, then SIGKILL.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// VmRSS of a process, KiB (0 if it is gone).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for instance in &mut self.instances {
            let _ = instance.child.kill();
            let _ = instance.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
