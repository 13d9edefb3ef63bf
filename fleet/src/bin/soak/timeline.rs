//! What happens to the fleet during the soak (the master killed, an
//! instance restarted), the back-channel receiver that counts logouts, and
//! the servers' memory over time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::load::{Load, session_key};
use sso_fleet::Fleet;

/// Stands in for the news backend's back-channel logout endpoint: answers
/// 200 and counts. Returns its URL and the count.
pub(crate) fn logout_receiver() -> (String, Arc<AtomicUsize>) {
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
pub(crate) type Minute = (usize, BTreeMap<String, usize>, Vec<Duration>);

/// What happened to the fleet during the soak.
pub(crate) struct Events {
    pub(crate) fleet: Fleet,
    pub(crate) killed: Instant,
    pub(crate) recovered: Option<Instant>,
    /// Session cookies acknowledged before the kill.
    pub(crate) acked_before_kill: Vec<String>,
    /// Every instance's RSS at the end of each minute, KiB.
    pub(crate) rss: Vec<Vec<u64>>,
}

pub(crate) fn at(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// A third of the way in: kill the master that holds `watched`, then check
/// `watched` every 50 ms until it answers again, and start the node again
/// 30 s after the kill. Two thirds in: restart server instance 1, out of
/// the rotation meanwhile.
pub(crate) async fn events(
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
pub(crate) struct RssLog {
    pub(crate) started: Instant,
    pub(crate) minutes: Vec<Vec<u64>>,
}

impl RssLog {
    pub(crate) fn new(started: Instant) -> Self {
        Self {
            started,
            minutes: Vec::new(),
        }
    }

    /// Sleeps until `until`, reading the RSS at each minute's end on the way.
    pub(crate) async fn wait_until(&mut self, fleet: &Fleet, until: Instant) {
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
