//! A real Redis Cluster on loopback, owned by one test: six
//! `redis-server --cluster-enabled yes` processes, three masters with one
//! replica each, joined by `redis-cli --cluster create`. Killed and its
//! folder removed when dropped. Nothing is persisted but each node's
//! `nodes.conf`, so a node started again rejoins the cluster it left.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::redis_server::answers_ping;

const MASTERS: usize = 3;
/// How long a master may be silent before its replica takes over. Short,
/// so a failover test sees one within a few seconds.
const NODE_TIMEOUT_MS: u32 = 1000;

pub struct RedisCluster {
    ports: Vec<u16>,
    children: Vec<Option<Child>>,
    dir: PathBuf,
}

/// `n` loopback ports whose cluster-bus port (port + 10000) is free too,
/// both below Linux's ephemeral range (from 32768), where outgoing
/// connections would take them.
fn free_cluster_ports(n: usize) -> Vec<u16> {
    use std::net::TcpListener;
    const LOW: u16 = 10_000;
    const HIGH: u16 = 22_700;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let seed = u64::from(std::process::id()) << 32 | u64::from(nanos);
    let mut candidate = LOW + (seed.wrapping_mul(2_654_435_761) % u64::from(HIGH - LOW)) as u16;
    let mut ports = Vec::new();
    // Both listeners are held until all are found, so no two are the same.
    let mut held = Vec::new();
    while ports.len() < n {
        candidate = if candidate >= HIGH {
            LOW
        } else {
            candidate + 1
        };
        let (Ok(a), Ok(b)) = (
            TcpListener::bind(("127.0.0.1", candidate)),
            TcpListener::bind(("127.0.0.1", candidate + 10_000)),
        ) else {
            continue;
        };
        held.push((a, b));
        ports.push(candidate);
    }
    ports
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run redis-cli (run `make test` to install it): {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl RedisCluster {
    pub fn start() -> Self {
        // Ports are free when chosen but may be taken before a node binds
        // (tests start clusters in parallel): then start over on others.
        for _ in 0..3 {
            if let Some(cluster) = Self::try_start() {
                return cluster;
            }
        }
        panic!("no Redis Cluster could be started in three attempts");
    }

    fn try_start() -> Option<Self> {
        let ports = free_cluster_ports(MASTERS * 2);
        let dir =
            std::env::temp_dir().join(format!("sso-cluster-{}-{}", std::process::id(), ports[0]));
        std::fs::create_dir_all(&dir).expect("a folder for the cluster");
        let mut cluster = Self {
            children: ports.iter().map(|_| None).collect(),
            ports,
            dir,
        };
        for i in 0..cluster.ports.len() {
            cluster.spawn(i);
        }
        // Each port must be answered by this cluster's node, not by
        // another test's that took the port first (ours then exited).
        let dir = cluster.dir.display().to_string();
        let all_ours = cluster
            .ports
            .iter()
            .all(|p| redis_cli(*p, &["CONFIG", "GET", "dir"]).contains(&dir));
        let addresses: Vec<String> = cluster
            .ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let created = all_ours
            && Command::new("redis-cli")
                .arg("--cluster")
                .arg("create")
                .args(&addresses)
                .args(["--cluster-replicas", "1", "--cluster-yes"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !created {
            return None;
        }
        cluster.wait_until_ready();
        Some(cluster)
    }

    fn spawn(&mut self, i: usize) {
        let port = self.ports[i];
        let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let child = Command::new(&bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
            .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args([
                "--repl-diskless-sync",
                "yes",
                "--repl-diskless-sync-delay",
                "0",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} (run `make test` to install it): {e}"));
        self.children[i] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !answers_ping(port) {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every live node sees every slot served, and every live node that
    /// is not one of the masters is a replica linked to its master. Counted,
    /// not read off each node: right after `--cluster create` a replica may
    /// still call itself a master, and a sign-in that waits for a replica's
    /// acknowledgement would then get none and fail closed.
    pub fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let nodes: Vec<(String, String)> = self
                .live_ports()
                .map(|p| {
                    (
                        redis_cli(p, &["CLUSTER", "INFO"]),
                        redis_cli(p, &["INFO", "replication"]),
                    )
                })
                .collect();
            let served = nodes.iter().all(|(cluster, replication)| {
                cluster.contains("cluster_state:ok")
                    && !replication.contains("master_link_status:down")
            });
            let linked = nodes
                .iter()
                .filter(|(_, replication)| replication.contains("master_link_status:up"))
                .count();
            if served && linked + MASTERS == nodes.len() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster did not become ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn live_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.ports
            .iter()
            .zip(&self.children)
            .filter(|(_, c)| c.is_some())
            .map(|(p, _)| *p)
    }

    /// The store URL: `redis+cluster://` and every node as a seed.
    pub fn url(&self) -> String {
        let seeds: Vec<String> = self
            .ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        format!("redis+cluster://{}", seeds.join(","))
    }

    /// The seed node URLs, as the store takes them.
    pub fn node_urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    /// The port of the master that serves `key`'s slot now.
    pub fn master_of(&self, key: &str) -> u16 {
        let any = self.live_ports().next().expect("a live node");
        let slot: u16 = redis_cli(any, &["CLUSTER", "KEYSLOT", key])
            .trim()
            .parse()
            .expect("a slot number");
        let nodes = redis_cli(any, &["CLUSTER", "NODES"]);
        for line in nodes.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 9 || !fields[2].contains("master") || fields[2].contains("fail") {
                continue;
            }
            let serves = fields[8..].iter().any(|range| {
                let (lo, hi) = range.split_once('-').unwrap_or((range, range));
                matches!((lo.parse::<u16>(), hi.parse::<u16>()), (Ok(lo), Ok(hi)) if (lo..=hi).contains(&slot))
            });
            if serves {
                let port = fields[1].split(['@', ':']).nth(1).expect("host:port@bus");
                return port.parse().expect("a port");
            }
        }
        panic!("no master serves slot {slot}:\n{nodes}");
    }

    /// Kills one node at once (SIGKILL), as a crash would.
    pub fn kill_node(&mut self, port: u16) {
        let i = self.index(port);
        if let Some(mut child) = self.children[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a killed node again, empty; it rejoins (a former master as
    /// a replica of the one promoted in its place) and copies its master.
    pub fn restart_node(&mut self, port: u16) {
        let i = self.index(port);
        self.kill_node(port);
        self.spawn(i);
    }

    fn index(&self, port: u16) -> usize {
        self.ports
            .iter()
            .position(|p| *p == port)
            .unwrap_or_else(|| panic!("{port} is not a node of this cluster"))
    }

    /// Kills every node; the cluster is gone until [`Self::restart`].
    pub fn kill(&mut self) {
        for port in self.ports.clone() {
            self.kill_node(port);
        }
    }

    /// Starts every node again, empty, in the topology it had.
    pub fn restart(&mut self) {
        for i in 0..self.ports.len() {
            self.kill_node(self.ports[i]);
            self.spawn(i);
        }
        self.wait_until_ready();
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
