//! A Redis Cluster master killed under load: its replica is promoted, the
//! server answers `store_unavailable` (never a 500, never a wrong answer)
//! while the cluster switches, recovers by itself, and loses no sign-in
//! that was acknowledged (sign-ins wait for one replica here).
//!
//! Prints its figures; `cargo nextest run failover --no-capture` shows them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sso_core::config::ReplicaAcks;
use sso_core::domain::SessionCookie;
use sso_core::store::RedisStore;
use sso_test_support::RedisCluster;

use crate::helpers::*;

const PEOPLE: usize = 30;
/// How long the cluster may take to promote a replica and the server to
/// find it (the test cluster's node timeout is 1 s).
const RECOVERY_BOUND: Duration = Duration::from_secs(15);

/// What one check answered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    SignedIn,
    StoreUnavailable,
    /// Anything else: a wrong answer (signed out, another error) or an
    /// HTTP status other than the 303 that carries the result.
    Wrong(String),
}

async fn check(app: &TestApp, cookie: &str) -> Outcome {
    let response = app
        .sso("/sso/check", &NEWS.check_params(), Some(cookie), &[])
        .await;
    if response.status() != StatusCode::SEE_OTHER {
        return Outcome::Wrong(format!("HTTP {}", response.status()));
    }
    let d = delivery(&response);
    match (d.status(), d.error()) {
        ("success", _) => Outcome::SignedIn,
        (_, "store_unavailable") => Outcome::StoreUnavailable,
        (status, error) => Outcome::Wrong(format!("status {status:?} error {error:?}")),
    }
}

fn session_key(cookie: &str) -> String {
    let sid = SessionCookie::parse(cookie)
        .expect("a session cookie")
        .sid();
    sso_core::store::redis_session_key(&sid)
}

#[tokio::test]
async fn a_killed_master_fails_over_without_wrong_answers_or_lost_sign_ins() {
    let mut cluster = RedisCluster::start();
    let acks = ReplicaAcks {
        replicas: 1,
        wait: Duration::from_millis(500),
    };
    let store = RedisStore::open_cluster(&cluster.node_urls())
        .await
        .expect("a store on the cluster")
        .with_acks(Some(acks));
    let app = spawn_app_on(Arc::new(store), None, |s| s.replica_acks = Some(acks));

    let mut cookies = Vec::new();
    for i in 0..PEOPLE {
        let (_, cookie) = app
            .signed_in_browser(&NEWS, &format!("p{i}@example.com"))
            .await;
        cookies.push(cookie);
    }
    let watched = cookies[0].clone();
    let victim = cluster.master_of(&session_key(&watched));
    let on_victim = cookies
        .iter()
        .filter(|c| cluster.master_of(&session_key(c)) == victim)
        .count();

    // Two loops of checks over everyone, as page loads would come.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = |offset: usize| {
        let (app, cookies, stop) = (&app, &cookies, stop.clone());
        async move {
            let mut seen = Vec::new();
            let mut i = offset;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // A check in flight at any moment of the switch belongs to
                // it: sent just before the kill, or answered just after the
                // recovery.
                let sent = Instant::now();
                let outcome = check(app, &cookies[i % cookies.len()]).await;
                seen.push((sent, Instant::now(), outcome));
                i += 1;
            }
            seen
        }
    };
    let mut killed_at = None;
    let mut first_success = None;
    let switch = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let at = Instant::now();
        cluster.kill_node(victim);
        killed_at = Some(at);
        // The first check of the watched session that succeeds after the kill.
        while at.elapsed() < RECOVERY_BOUND {
            if check(&app, &watched).await == Outcome::SignedIn {
                first_success = Some(at.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Some load after recovery too: it must all succeed.
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (a, b, ()) = tokio::join!(load(0), load(PEOPLE / 2), switch);
    let killed_at = killed_at.expect("the master was killed");
    let recovered = first_success
        .unwrap_or_else(|| panic!("no successful check within {RECOVERY_BOUND:?} after the kill"));

    let mut by_phase: BTreeMap<(&str, Outcome), usize> = BTreeMap::new();
    for (sent, answered, outcome) in a.into_iter().chain(b) {
        let phase = if answered < killed_at {
            "before"
        } else if sent > killed_at + recovered {
            "after"
        } else {
            "switch"
        };
        *by_phase.entry((phase, outcome)).or_default() += 1;
    }
    let mut lost = 0;
    for cookie in &cookies {
        if check(&app, cookie).await != Outcome::SignedIn {
            lost += 1;
        }
    }
    println!(
        "failover: master :{victim} killed ({on_victim} of {PEOPLE} sessions in its slots); \
         first successful check {:.2} s after the kill; outcomes {by_phase:?}; \
         sign-ins lost {lost} of {PEOPLE}",
        recovered.as_secs_f64()
    );

    for ((phase, outcome), n) in &by_phase {
        match (phase, outcome) {
            (_, Outcome::SignedIn) => {}
            (&"switch", Outcome::StoreUnavailable) => {}
            _ => panic!("{n} checks {phase} the switch answered {outcome:?}"),
        }
    }
    assert_eq!(lost, 0, "acknowledged sign-ins lost in the failover");
    assert_ne!(
        cluster.master_of(&session_key(&watched)),
        victim,
        "a replica was promoted in the killed master's place"
    );
}
