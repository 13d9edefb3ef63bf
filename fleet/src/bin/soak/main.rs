//! `make soak`: three release `sso-server` instances on a local Redis
//! Cluster under a mixed load at about 70 % of the capacity measured first,
//! for `SOAK_SECONDS` (600). A third of the way in, the master that holds a
//! watched sign-in is killed (its replica takes over) and started again 30 s
//! later; two thirds in, one server instance is restarted (SIGTERM, taken
//! out of the rotation first, as a load balancer's health check would).
//!
//! The load is what page views make: checks (most), a code and its
//! redemption at `/oauth/token`, password sign-ins and sign-outs, whose
//! back-channel logouts a local receiver takes for the news backend.
//! Requests go to the instances in turn (a load balancer without
//! stickiness). Printed:
//! per minute the throughput, errors by type and p99 latency; the failover
//! window; server RSS at start and end; acknowledged sign-ins lost.

mod load;
mod timeline;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sso_fleet::{Fleet, FleetOptions, load_config, news_form, release_server};

use load::*;
use timeline::*;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let total = Duration::from_secs(seconds);

    // Sign-ins wait for one replica: an acknowledged sign-in survives a
    // master's loss (see README, "Running several instances").
    let (receiver, delivered_logouts) = logout_receiver();
    let config = load_config(&[
        ("replicas = 0".to_owned(), "replicas = 1".to_owned()),
        (
            "backchannel_logout_uri = \"http://news.localhost:8081/account/backchannel-logout\""
                .to_owned(),
            format!("backchannel_logout_uri = \"{receiver}\""),
        ),
    ]);
    let dir = std::env::temp_dir().join(format!("sso-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config_path = dir.join("sso.toml");
    std::fs::write(&config_path, config).unwrap();
    let fleet = Fleet::start(FleetOptions {
        server_bin: release_server(),
        config: config_path,
        instances: 3,
        assets_dir: None,
        log: "error".to_owned(),
    })
    .await;
    let n = fleet.instance_urls().len();
    let load = Arc::new(Load {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(5))
            // Under actix-web's 5 s keep-alive, so the load never reuses a
            // connection the server is closing at that moment (a browser
            // would retry such a request; this client does not).
            .pool_idle_timeout(Duration::from_secs(3))
            .build()
            .unwrap(),
        down: (0..n).map(|_| AtomicBool::new(false)).collect(),
        instances: fleet.instance_urls(),
        next: AtomicUsize::new(0),
        pick: AtomicUsize::new(0),
        live: Mutex::new(Vec::new()),
        ended: Mutex::new(HashSet::new()),
        user: AtomicUsize::new(0),
    });

    // People, and a sign-in each (eight at a time: each hashes a password).
    use futures::StreamExt;
    futures::stream::iter(0..USERS)
        .for_each_concurrent(8, |i| {
            let load = load.clone();
            async move {
                let r = load
                    .http
                    .post(load.url("/oauth/register_native_traditional"))
                    .form(&news_form(&email(i), PASSWORD, false))
                    .send()
                    .await
                    .unwrap();
                let body: Value = r.json().await.unwrap();
                let code = body["sso_code"].as_str().expect("registered").to_owned();
                let cookie = load.set_session(&code).await.expect("signed in");
                load.live.lock().unwrap().push((cookie, true));
            }
        })
        .await;
    let measured = capacity(&load, 32, CALIBRATION).await;
    let rate = measured * 0.7;
    load.ended.lock().unwrap().clear();
    println!(
        "soak: 3 instances on a 6-node Redis Cluster; capacity {measured:.0} ops/s \
         (closed loop, 32 connections), soaking at {rate:.0} ops/s for {seconds} s"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_start: Vec<u64> = (0..n).map(|i| fleet.rss_kib(i)).collect();

    let samples: Arc<Mutex<Vec<Sample>>> = Arc::new(Mutex::new(Vec::new()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let watched = load.live.lock().unwrap()[0].0.clone();
    let events = tokio::spawn(events(fleet, load.clone(), watched, started, total));

    // Operations are issued at the rate, on a 10 ms tick, whatever the
    // answers take (an open loop, as visitors arrive).
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut issued = 0usize;
    let mut shed = 0usize;
    loop {
        tick.tick().await;
        if started.elapsed() >= total {
            break;
        }
        let due = (started.elapsed().as_secs_f64() * rate) as usize;
        while issued < due {
            let op = Op::nth(issued);
            issued += 1;
            if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
                shed += 1;
                continue;
            }
            let (load, samples, in_flight) = (load.clone(), samples.clone(), in_flight.clone());
            in_flight.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let t = Instant::now();
                let result = load.run(op).await;
                let sample = Sample {
                    at: t,
                    latency: t.elapsed(),
                    error: result.err(),
                };
                samples.lock().unwrap().push(sample);
                in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }
    while in_flight.load(Ordering::Relaxed) > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let Events {
        fleet,
        killed,
        recovered,
        acked_before_kill,
        rss,
    } = events.await.expect("the events ran");
    let rss_end: Vec<u64> = (0..n).map(|i| fleet.rss_kib(i)).collect();

    // Every sign-in acknowledged before the kill and not signed out since
    // must still be there.
    let mut lost = 0;
    let mut kept = 0;
    for cookie in &acked_before_kill {
        match load.sso_check(cookie, "token").await {
            Ok(v) if v["result"]["status"] == "success" => kept += 1,
            _ => lost += 1,
        }
    }

    let samples = samples.lock().unwrap();
    // The switch is over for the whole fleet when the last request that met
    // the dead master was answered: each instance's connections find the
    // promoted replica on their own. Printed beside the first recovery.
    let last_unavailable = samples
        .iter()
        .filter(|s| s.at + s.latency >= killed)
        .filter(|s| {
            s.error
                .as_deref()
                .is_some_and(|e| e.ends_with("unavailable"))
        })
        .map(|s| s.at + s.latency)
        .max();
    let window_end = match (recovered, last_unavailable) {
        (Some(r), Some(l)) => r.max(l),
        (Some(r), None) => r,
        (None, _) => killed + Duration::from_secs(3600),
    };
    let mut minutes: BTreeMap<u64, Minute> = BTreeMap::new();
    let mut outside: BTreeMap<String, usize> = BTreeMap::new();
    let mut inside: BTreeMap<String, usize> = BTreeMap::new();
    for s in samples.iter() {
        let minute = (s.at - started).as_secs() / 60;
        let entry = minutes.entry(minute).or_default();
        entry.0 += 1;
        entry.2.push(s.latency);
        if let Some(e) = &s.error {
            *entry.1.entry(e.clone()).or_default() += 1;
            // In flight at any moment between the kill and the recovery.
            let bucket = if s.at + s.latency >= killed && s.at <= window_end {
                &mut inside
            } else {
                &mut outside
            };
            *bucket.entry(e.clone()).or_default() += 1;
        }
    }
    println!("minute  ops/s   p99 ms  errors");
    for (minute, (count, errors, latencies)) in &mut minutes {
        let secs = 60.0_f64.min(seconds as f64 - *minute as f64 * 60.0);
        println!(
            "{:>6}  {:>6.0}  {:>6.1}  {errors:?}",
            minute + 1,
            *count as f64 / secs,
            p99(latencies).as_secs_f64() * 1000.0
        );
    }
    println!(
        "failover window: the watched sign-in answered again {:.2} s after the kill, \
         the last request that met the dead master was answered {:.2} s after it; \
         errors of operations in flight in that window {inside:?}",
        recovered.map_or(f64::NAN, |r| (r - killed).as_secs_f64()),
        (window_end - killed).as_secs_f64()
    );
    println!(
        "errors outside the failover window: {} {outside:?} (target 0)",
        outside.values().sum::<usize>()
    );
    println!("operations shed by the load generator (fell behind): {shed}");
    println!(
        "back-channel logouts delivered to the news receiver: {}",
        delivered_logouts.load(Ordering::Relaxed)
    );
    // Growth is taken from the end of the first minute (the allocator and
    // the connections settle under the load); the restarted instance is
    // shown, not judged, since it started anew two thirds in.
    println!("RSS per minute, MB (instance 0, 1, 2):");
    for (minute, sizes) in rss.iter().enumerate() {
        let mb: Vec<String> = sizes
            .iter()
            .map(|k| format!("{:.1}", *k as f64 / 1024.0))
            .collect();
        println!("{:>6}  {}", minute + 1, mb.join("  "));
    }
    let settled = rss.first().cloned().unwrap_or_else(|| rss_start.clone());
    for i in 0..n {
        let growth = (rss_end[i] as f64 / settled[i] as f64 - 1.0) * 100.0;
        let note = if i == 1 {
            " (restarted two thirds in: not comparable)"
        } else {
            " (target under +10 %)"
        };
        println!(
            "RSS instance {i}: {:.1} MB before the load, {:.1} MB after its first minute, \
             {:.1} MB at the end: {growth:+.1} %{note}",
            rss_start[i] as f64 / 1024.0,
            settled[i] as f64 / 1024.0,
            rss_end[i] as f64 / 1024.0
        );
    }
    println!(
        "sign-ins acknowledged before the kill (the first of each person, never signed out): {}; still signed in {kept}, lost {lost} (target 0)",
        kept + lost
    );
    let _ = std::fs::remove_dir_all(&dir);
}
