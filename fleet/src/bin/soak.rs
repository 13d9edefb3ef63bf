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

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sso_fleet::flows::{delivered, set_session, transport};
use sso_fleet::{Fleet, FleetOptions, load_config, news_form, release_server};
use sso_core::domain::Secret;

/// People, each signed in once at the start and never signed out; their
/// sessions carry the checks and redemptions, at most a few codes a minute
/// each (the server allows 60 outstanding per session).
const USERS: usize = 1_000;
const PASSWORD: &str = "soak password 1234";
const RECEIVER: &str = "http://news.localhost:8081/xd_receiver.html";
/// Sign-outs only take sessions while more than this many besides the
/// first sign-ins are live.
const MIN_LIVE: usize = 100;
/// Requests in flight at most; an operation due beyond it is counted as
/// shed (the load generator, not the server, fell behind).
const MAX_IN_FLIGHT: usize = 256;
const CALIBRATION: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Check,
    Redeem,
    SignIn,
    SignOut,
}

impl Op {
    /// Per 100 operations: 80 checks, 12 redemptions, 4 sign-ins, 4 sign-outs.
    fn nth(n: usize) -> Self {
        match n % 100 {
            0..80 => Self::Check,
            80..92 => Self::Redeem,
            92..96 => Self::SignIn,
            _ => Self::SignOut,
        }
    }
}

struct Load {
    http: reqwest::Client,
    instances: Vec<String>,
    /// Instances out of the rotation (being restarted).
    down: Vec<AtomicBool>,
    next: AtomicUsize,
    pick: AtomicUsize,
    /// Session cookies of live sign-ins; `true` for the first sign-in of
    /// each person, which no sign-out takes (their survival is measured).
    live: Mutex<Vec<(String, bool)>>,
    /// Sessions a sign-out took: a check that was already under way may
    /// rightly find them gone.
    ended: Mutex<HashSet<String>>,
    user: AtomicUsize,
}

/// One finished operation.
struct Sample {
    /// When it was sent.
    at: Instant,
    latency: Duration,
    error: Option<String>,
}

impl Load {
    fn url(&self, path: &str) -> String {
        let n = self.instances.len();
        for _ in 0..n {
            let i = self.next.fetch_add(1, Ordering::Relaxed) % n;
            if !self.down[i].load(Ordering::Relaxed) {
                return format!("{}{path}", self.instances[i]);
            }
        }
        format!("{}{path}", self.instances[0])
    }

    async fn run(&self, op: Op) -> Result<(), String> {
        match op {
            Op::Check => self.check().await,
            Op::Redeem => self.redeem().await,
            Op::SignIn => self.sign_in().await,
            Op::SignOut => self.sign_out().await,
        }
    }

    /// A live session, spread evenly (Fibonacci hashing of a counter), so
    /// no one person's page views exceed what a person makes.
    fn any_session(&self) -> Option<String> {
        let n = self.pick.fetch_add(1, Ordering::Relaxed) as u64;
        let live = self.live.lock().unwrap();
        let spread = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize;
        (!live.is_empty()).then(|| live[spread % live.len()].0.clone())
    }

    async fn check(&self) -> Result<(), String> {
        let Some(cookie) = self.any_session() else {
            return Ok(());
        };
        let result = self.sso_check(&cookie, "token").await?;
        match result["result"]["status"].as_str() {
            Some("success") => Ok(()),
            _ if self.ended.lock().unwrap().contains(&cookie) => Ok(()),
            other => Err(format!("wrong answer: check said {other:?}")),
        }
    }

    async fn sso_check(&self, cookie: &str, response_type: &str) -> Result<Value, String> {
        let url = self.url(&format!(
            "/sso/check?client_id=news&segment=news&supported_segments=news-sport\
             &response_type={response_type}&state=soak-state-01&xd_receiver={RECEIVER}\
             &flow=standard&flow_version=1&locale=en-US"
        ));
        let r = self
            .http
            .get(url)
            .header("cookie", format!("sso_session={cookie}"))
            .send()
            .await
            .map_err(transport)?;
        delivered(&r)
    }

    async fn redeem(&self) -> Result<(), String> {
        let Some(cookie) = self.any_session() else {
            return Ok(());
        };
        let result = self.sso_check(&cookie, "code").await?;
        let Some(code) = result["result"]["code"].as_str() else {
            if self.ended.lock().unwrap().contains(&cookie) {
                return Ok(());
            }
            return Err(format!("wrong answer: no code in {}", result["result"]));
        };
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth("news", Some("news-secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", RECEIVER),
            ])
            .send()
            .await
            .map_err(transport)?;
        if r.status().is_success() {
            return Ok(());
        }
        let status = r.status();
        let body: Value = r.json().await.unwrap_or_default();
        Err(format!(
            "token {status} {}",
            body["error"].as_str().unwrap_or("?")
        ))
    }

    async fn sign_in(&self) -> Result<(), String> {
        let n = self.user.fetch_add(1, Ordering::Relaxed) % USERS;
        let r = self
            .http
            .post(self.url("/oauth/auth_native_traditional"))
            .form(&news_form(&email(n), PASSWORD, true))
            .send()
            .await
            .map_err(transport)?;
        let status = r.status();
        let body: Value = r.json().await.map_err(|e| format!("sign-in body: {e}"))?;
        let Some(code) = body["sso_code"].as_str() else {
            return Err(format!(
                "sign-in {status} {}",
                body["error"].as_str().unwrap_or("?")
            ));
        };
        let cookie = self.set_session(code).await?;
        self.live.lock().unwrap().push((cookie, false));
        Ok(())
    }

    /// `/sso/set`: the code, then the confirmation, each to the next instance.
    async fn set_session(&self, code: &str) -> Result<String, String> {
        let base = format!(
            "/sso/set?client_id=news&segment=news&state=soak-state-02&xd_receiver={RECEIVER}"
        );
        let park = self.url(&format!("{base}&sso_code={code}"));
        set_session(&self.http, park, |token| {
            self.url(&format!("{base}&confirm={token}"))
        })
        .await
    }

    async fn sign_out(&self) -> Result<(), String> {
        let cookie = {
            let mut live = self.live.lock().unwrap();
            if live.len() <= USERS + MIN_LIVE {
                return Ok(());
            }
            // The first sign-ins are the first USERS entries; removing a
            // later one moves another later one into its place.
            let n = USERS + self.next.load(Ordering::Relaxed) % (live.len() - USERS);
            debug_assert!(!live[n].1, "a first sign-in is never signed out");
            live.swap_remove(n).0
        };
        self.ended.lock().unwrap().insert(cookie.clone());
        let base = format!(
            "/sso/end?client_id=news&segment=news&supported_segments=news-sport\
             &state=soak-state-03&xd_receiver={RECEIVER}"
        );
        let mut confirm: Option<String> = None;
        for _ in 0..2 {
            let url = match &confirm {
                Some(token) => format!("{base}&confirm={token}"),
                None => base.clone(),
            };
            let r = self
                .http
                .get(self.url(&url))
                .header("cookie", format!("sso_session={cookie}"))
                .send()
                .await
                .map_err(transport)?;
            let result = delivered(&r)?;
            match result["result"]["status"].as_str() {
                Some("confirm") => {
                    confirm = result["result"]["confirm"].as_str().map(str::to_owned);
                }
                Some("success") => return Ok(()),
                other => return Err(format!("wrong answer: end said {other:?}")),
            }
        }
        Err("end asked to confirm twice".to_owned())
    }
}

fn email(n: usize) -> String {
    format!("soak-{n}@example.com")
}

fn p99(latencies: &mut [Duration]) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    latencies.sort();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

/// Runs operations closed-loop with `concurrency` workers for `period`:
/// operations per second.
async fn capacity(load: &Arc<Load>, concurrency: usize, period: Duration) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + period;
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let (load, done) = (load.clone(), done.clone());
            tokio::spawn(async move {
                let mut n = w * 13;
                while Instant::now() < until {
                    let _ = load.run(Op::nth(n)).await;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += concurrency * 13 + 1;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    done.load(Ordering::Relaxed) as f64 / period.as_secs_f64()
}

fn session_key(cookie: &str) -> String {
    let sid = Secret::parse(cookie).expect("a session cookie").hash();
    sso_core::store::redis_session_key(&sid)
}

/// Stands in for the news backend's back-channel logout endpoint: answers
/// 200 and counts. Returns its URL and the count.
fn logout_receiver() -> (String, Arc<AtomicUsize>) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let count = Arc::new(AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/backchannel",
        listener.local_addr().unwrap().port()
    );
    let counted = count.clone();
    let server = HttpServer::new(move || {
        let counted = counted.clone();
        App::new().route(
            "/backchannel",
            web::post().to(move |_: web::Bytes| {
                counted.fetch_add(1, Ordering::Relaxed);
                async { HttpResponse::Ok().finish() }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, count)
}

/// One minute of the soak: operations, errors by type, latencies.
type Minute = (usize, BTreeMap<String, usize>, Vec<Duration>);

/// What happened to the fleet during the soak.
struct Events {
    fleet: Fleet,
    killed: Instant,
    recovered: Option<Instant>,
    /// Session cookies acknowledged before the kill.
    acked_before_kill: Vec<String>,
    /// Every instance's RSS at the end of each minute, KiB.
    rss: Vec<Vec<u64>>,
}

fn at(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// A third of the way in: kill the master that holds `watched`, then check
/// `watched` every 50 ms until it answers again, and start the node again
/// 30 s after the kill. Two thirds in: restart server instance 1, out of
/// the rotation meanwhile.
async fn events(
    mut fleet: Fleet,
    load: Arc<Load>,
    watched: String,
    started: Instant,
    total: Duration,
) -> Events {
    let victim = fleet.cluster.master_of(&session_key(&watched));
    let mut rss = RssLog::new(started);
    rss.wait_until(&fleet, started + total / 3).await;
    let acked_before_kill = load
        .live
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, kept)| *kept)
        .map(|(c, _)| c.clone())
        .collect();
    // The moment the kill is sent: requests failing from then on are the
    // failover's.
    let killed = Instant::now();
    fleet.cluster.kill_node(victim);
    println!(
        "  {:>4.0} s  killed the Redis master :{victim} (it holds a watched sign-in)",
        at(started)
    );
    let mut recovered = None;
    while killed.elapsed() < Duration::from_secs(30) {
        if recovered.is_none()
            && let Ok(v) = load.sso_check(&watched, "token").await
            && v["result"]["status"] == "success"
        {
            recovered = Some(Instant::now());
            println!(
                "  {:>4.0} s  first successful check of the watched sign-in, {:.2} s after the kill",
                at(started),
                killed.elapsed().as_secs_f64()
            );
        }
        rss.wait_until(&fleet, Instant::now() + Duration::from_millis(50))
            .await;
    }
    fleet.cluster.restart_node(victim);
    println!(
        "  {:>4.0} s  started :{victim} again (it rejoins as a replica)",
        at(started)
    );
    rss.wait_until(&fleet, started + total * 2 / 3).await;
    load.down[1].store(true, Ordering::Relaxed);
    // Give requests already sent to it a moment; SIGTERM drains the rest.
    tokio::time::sleep(Duration::from_millis(200)).await;
    fleet.restart_instance(1).await;
    load.down[1].store(false, Ordering::Relaxed);
    println!(
        "  {:>4.0} s  restarted server instance 1 (out of the rotation meanwhile)",
        at(started)
    );
    rss.wait_until(&fleet, started + total).await;
    Events {
        fleet,
        killed,
        recovered,
        acked_before_kill,
        rss: rss.minutes,
    }
}

/// Every instance's RSS at the end of each minute, KiB.
struct RssLog {
    started: Instant,
    minutes: Vec<Vec<u64>>,
}

impl RssLog {
    fn new(started: Instant) -> Self {
        Self {
            started,
            minutes: Vec::new(),
        }
    }

    /// Sleeps until `until`, reading the RSS at each minute's end on the way.
    async fn wait_until(&mut self, fleet: &Fleet, until: Instant) {
        loop {
            let next = self.started + Duration::from_secs(60 * (self.minutes.len() as u64 + 1));
            if next > until {
                tokio::time::sleep_until(until.into()).await;
                return;
            }
            tokio::time::sleep_until(next.into()).await;
            self.minutes.push(
                (0..fleet.instance_urls().len())
                    .map(|i| fleet.rss_kib(i))
                    .collect(),
            );
        }
    }
}

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
