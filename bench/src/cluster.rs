//! Figure 8: `/sso/check` on three instances sharing a six-node Redis
//! Cluster (`sso-fleet`) beside one instance on one Redis node, the same
//! load generator shape against each (three wrk processes of 11
//! connections), alternating rounds; and what waiting for a replica
//! (`[durability] replicas = 1`) adds to a sign-in's store write.

use std::time::{Duration, Instant};

use sso_core::config::ReplicaAcks;
use sso_core::domain::Secret;
use sso_core::domain::{BrowserSession, Profile, Segment, SegmentSession, SessionId, UserId};
use sso_core::store::{RedisStore, SessionStore};
use sso_fleet::{Fleet, FleetOptions, load_config, release_server};

use crate::server::Running;
use crate::wrk::{self, Load};

const ROUNDS: usize = 3;
const CONNECTIONS_EACH: usize = 11;
/// Sign-in writes timed per round, each way.
const WRITES: usize = 400;

pub struct Figures {
    pub single: Load,
    pub fleet: Load,
    /// Fleet rate / single rate, per round, percent.
    pub ratios: Vec<f64>,
    /// Sign-in store write, p50 and p99 in ms: without and with WAIT 1.
    pub write_plain: (f64, f64),
    pub write_acked: (f64, f64),
}

/// Three wrk summaries as one: rates add up; the p50 is their mean and the
/// p99 their highest (a p99 cannot be merged exactly).
fn combined(loads: Vec<Load>) -> Load {
    let n = loads.len() as f64;
    Load {
        rps: loads.iter().map(|l| l.rps).sum(),
        p50_ms: loads.iter().map(|l| l.p50_ms).sum::<f64>() / n,
        p99_ms: loads.iter().map(|l| l.p99_ms).fold(0.0, f64::max),
    }
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() * 99 / 100])
}

/// `sign_in(base)`: a live session on the server at `base`, as `name=value`.
pub async fn figure<F, Fut>(run: &Running, check_path: &str, sign_in: F) -> Figures
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = String>,
{
    let dir = std::env::temp_dir().join(format!("sso-bench-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("sso.toml");
    std::fs::write(&config, load_config(&[])).unwrap();
    let fleet = Fleet::start(FleetOptions {
        server_bin: release_server(),
        config,
        instances: 3,
        assets_dir: None,
        log: "warn".to_owned(),
    })
    .await;

    let single_cookie = sign_in(run.url("")).await;
    let fleet_cookie = sign_in(fleet.instance_url(0)).await;
    let single_urls = vec![run.url(check_path); 3];
    let fleet_urls: Vec<String> = fleet
        .instance_urls()
        .iter()
        .map(|base| format!("{base}{check_path}"))
        .collect();
    let mut rounds: Vec<(Load, Load)> = (0..ROUNDS)
        .map(|_| {
            let single = combined(wrk::run_together(
                &single_urls,
                &single_cookie,
                CONNECTIONS_EACH,
            ));
            let many = combined(wrk::run_together(
                &fleet_urls,
                &fleet_cookie,
                CONNECTIONS_EACH,
            ));
            (single, many)
        })
        .collect();
    let ratios = rounds.iter().map(|(s, f)| f.rps / s.rps * 100.0).collect();
    rounds.sort_by(|a, b| (a.1.rps / a.0.rps).total_cmp(&(b.1.rps / b.0.rps)));
    let (single, fleet_load) = rounds.swap_remove(ROUNDS / 2);

    // The sign-in write (the session record) on the cluster, one at a time,
    // without and with waiting for the slot's replica, alternating rounds.
    let nodes = fleet.cluster.node_urls();
    let plain = RedisStore::open_cluster(&nodes).await.unwrap();
    let acked = RedisStore::open_cluster(&nodes)
        .await
        .unwrap()
        .with_acks(Some(ReplicaAcks {
            replicas: 1,
            wait: Duration::from_millis(100),
        }));
    let session = one_sign_in();
    let (mut plain_ms, mut acked_ms) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (store, times) in [(&plain, &mut plain_ms), (&acked, &mut acked_ms)] {
            for _ in 0..WRITES {
                let sid = Secret::generate().hash();
                let t = Instant::now();
                store
                    .save_session(&sid, &session, Duration::from_secs(600))
                    .await
                    .unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    drop(fleet);
    let _ = std::fs::remove_dir_all(&dir);
    Figures {
        single,
        fleet: fleet_load,
        ratios,
        write_plain: percentiles(plain_ms),
        write_acked: percentiles(acked_ms),
    }
}

fn one_sign_in() -> BrowserSession {
    let mut session = BrowserSession::default();
    session.segments.insert(
        Segment::parse("news").unwrap(),
        SegmentSession {
            id: SessionId::generate(),
            user: Profile {
                id: UserId::new(),
                email: "bench@example.com".to_owned(),
                display_name: "Bench User".to_owned(),
            },
            created: 1_700_000_000,
            expires: 4_000_000_000,
            last_used: 1_700_000_000,
            keep_me_logged_in: false,
            method: sso_core::domain::AuthMethod::Password,
            visits: Default::default(),
        },
    );
    session
}
