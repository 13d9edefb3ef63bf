//! Figure 7: OpenID Connect back-channel logout. A local receiver stands in
//! for three site backends (news, sport, shop) and records when each logout
//! token arrives.
//!
//! - Latency: one sign-in used by the three sites is ended with `/sso/end`;
//!   the time from the request that ends it to the third delivery taken by
//!   the receiver (p50, p99 over [`LATENCY_SESSIONS`] sign-outs, one at a
//!   time).
//! - Throughput: [`BURST_SESSIONS`] such sign-ins ended at once; deliveries
//!   per second from the first sign-out to the last delivery.
//! - Isolation: [`SPACED_SESSIONS`] sign-outs, one every [`SPACING`], timed
//!   from `/sso/end` to news's delivery, first with every receiver healthy,
//!   then with sport's hanging (never answering: each attempt runs into the
//!   server's 5 s timeout). The target: news's p50/p99 within 2× of healthy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use futures::StreamExt;
use serde_json::Value;

use sso_core::domain::{CodeKind, Grant, Secret, UserId};
use sso_core::store::{CodeStore, RedisStore};

use crate::server::Running;
use crate::{NEWS_RECEIVER, set_session};

const LATENCY_SESSIONS: usize = 200;
const BURST_SESSIONS: usize = 1_000;
const SITES: usize = 3;
const SPACED_SESSIONS: usize = 200;
const SPACING: Duration = Duration::from_millis(100);

/// The receiver: arrival times of the logout tokens, in all and news's.
/// While `hang_sport` is set, it never answers a token for sport.
pub struct Receiver {
    pub url: String,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    to_news: Arc<Mutex<Vec<Instant>>>,
    hang_sport: Arc<AtomicBool>,
}

/// A logout token's audience (read, not verified: the receiver only sorts).
fn audience(body: &[u8]) -> String {
    use base64::Engine;
    let token = url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let claims = token.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|c| serde_json::from_slice::<Value>(&c).ok())
        .and_then(|c| c["aud"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Receiver {
    pub fn start() -> Self {
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let to_news = Arc::new(Mutex::new(Vec::new()));
        let hang_sport = Arc::new(AtomicBool::new(false));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/backchannel",
            listener.local_addr().unwrap().port()
        );
        let shared = (arrivals.clone(), to_news.clone(), hang_sport.clone());
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().route(
                "/backchannel",
                web::post().to(move |body: web::Bytes| {
                    let (got, news, hang) = shared.clone();
                    async move {
                        let now = Instant::now();
                        let aud = audience(&body);
                        if aud == "sport" && hang.load(Ordering::Relaxed) {
                            std::future::pending::<()>().await;
                        }
                        got.lock().unwrap().push(now);
                        if aud == "news" {
                            news.lock().unwrap().push(now);
                        }
                        HttpResponse::Ok().finish()
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            url,
            arrivals,
            to_news,
            hang_sport,
        }
    }

    fn count(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }

    async fn wait_for(&self, n: usize) -> Instant {
        wait_for(&self.arrivals, n).await
    }
}

async fn wait_for(arrivals: &Mutex<Vec<Instant>>, n: usize) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(at) = arrivals.lock().unwrap().get(n - 1) {
            return *at;
        }
        assert!(Instant::now() < deadline, "back-channel deliveries stalled");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

/// The figures of [`measure`].
pub struct Figures {
    /// Deliveries per second.
    pub rate: f64,
    /// `/sso/end` to the last of three deliveries, p50 and p99 (ms).
    pub p50: f64,
    pub p99: f64,
    /// `/sso/end` to news's delivery, spaced sign-outs, p50 and p99 (ms):
    /// every receiver healthy, then sport's hanging.
    pub healthy: (f64, f64),
    pub beside_hung: (f64, f64),
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() * 99 / 100])
}

/// The configuration edits that point the three demo sites at `receiver`
/// and let shop use the news segment (so one sign-in is used by three).
pub fn config_edits(receiver: &str) -> Vec<(String, String)> {
    let news = "backchannel_logout_uri = \"http://news.localhost:8081/account/backchannel-logout\"";
    let sport = "xd_receivers = [\"http://sport.localhost:8082/xd_receiver.html\"]";
    let shop = "xd_receivers = [\"http://shop.localhost:8083/xd_receiver.html\"]";
    vec![
        (
            news.into(),
            format!("backchannel_logout_uri = \"{receiver}\""),
        ),
        (
            sport.into(),
            format!("{sport}\nbackchannel_logout_uri = \"{receiver}\""),
        ),
        (
            shop.into(),
            format!("{shop}\nbackchannel_logout_uri = \"{receiver}\""),
        ),
        (
            "federates_with = [\"shop\"]".into(),
            "federates_with = [\"shop\", \"news\"]".into(),
        ),
    ]
}

pub async fn measure(
    run: &Running,
    http: &reqwest::Client,
    receiver: &Receiver,
    sign_in: impl Fn() -> futures::future::BoxFuture<'static, String>,
) -> Figures {
    // Each site names only segments it may use: shop is given news here.
    let check = |site: &'static str, port: u16, cookie: String| {
        let supported = if site == "shop" {
            "news-shop"
        } else {
            "news-sport"
        };
        let url = run.url(&format!(
            "/sso/check?client_id={site}&segment={site}&supported_segments={supported}\
             &state=bench-bcl-1&xd_receiver=http://{site}.localhost:{port}/xd_receiver.html\
             &flow=standard&flow_version=1&locale=en-US"
        ));
        let http = http.clone();
        async move {
            let r = http.get(url).header("cookie", cookie).send().await.unwrap();
            assert_eq!(r.status(), 303);
            let location = r.headers()["location"].to_str().unwrap();
            assert!(
                location.contains("accessToken"),
                "{site} found the sign-in: {location}"
            );
        }
    };
    // One sign-in, used by news, sport and shop.
    let used_by_three = || {
        let cookie = sign_in();
        async move {
            let cookie = cookie.await;
            check("news", 8081, cookie.clone()).await;
            check("sport", 8082, cookie.clone()).await;
            check("shop", 8083, cookie.clone()).await;
            cookie
        }
    };
    let end = |cookie: String| {
        let base = run.url(
            "/sso/end?client_id=news&segment=news&supported_segments=news-sport\
             &state=bench-bcl-2&xd_receiver=http://news.localhost:8081/xd_receiver.html",
        );
        let http = http.clone();
        async move {
            let first = http
                .get(&base)
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            let location = first.headers()["location"].to_str().unwrap().to_owned();
            let fragment = location.split_once('#').unwrap().1;
            let json = url::form_urlencoded::parse(fragment.as_bytes())
                .find(|(k, _)| k == "sso")
                .unwrap()
                .1;
            let result: Value = serde_json::from_str(&json).unwrap();
            let confirm = result["result"]["confirm"].as_str().unwrap().to_owned();
            // The sign-out starts with the request that ends the session.
            let started = Instant::now();
            let done = http
                .get(format!("{base}&confirm={confirm}"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(done.status(), 303);
            started
        }
    };

    let mut latencies = Vec::with_capacity(LATENCY_SESSIONS);
    for _ in 0..LATENCY_SESSIONS {
        let cookie = used_by_three().await;
        let before = receiver.count();
        let ended = end(cookie).await;
        let last = receiver.wait_for(before + SITES).await;
        latencies.push(last.saturating_duration_since(ended).as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(latencies);

    let cookies: Vec<String> = futures::stream::iter(0..BURST_SESSIONS)
        .map(|_| used_by_three())
        .buffer_unordered(32)
        .collect()
        .await;
    let before = receiver.count();
    let started = Instant::now();
    futures::stream::iter(cookies)
        .for_each_concurrent(64, |c| async move {
            end(c).await;
        })
        .await;
    let last = receiver.wait_for(before + BURST_SESSIONS * SITES).await;
    let rate = (BURST_SESSIONS * SITES) as f64 / last.duration_since(started).as_secs_f64();

    // Spaced sign-outs, timed to news's delivery: healthy, then beside a
    // hung sport.
    let spaced = |hang: bool| {
        receiver.hang_sport.store(hang, Ordering::Relaxed);
        let cookies: Vec<_> = (0..SPACED_SESSIONS).map(|_| used_by_three()).collect();
        async move {
            let cookies: Vec<String> = futures::stream::iter(cookies).buffered(32).collect().await;
            let mut ms = Vec::with_capacity(SPACED_SESSIONS);
            for cookie in cookies {
                let before = receiver.to_news.lock().unwrap().len();
                let ended = end(cookie).await;
                let at = wait_for(&receiver.to_news, before + 1).await;
                ms.push(at.saturating_duration_since(ended).as_secs_f64() * 1000.0);
                tokio::time::sleep(SPACING).await;
            }
            percentiles(ms)
        }
    };
    let healthy = spaced(false).await;
    let beside_hung = spaced(true).await;
    receiver.hang_sport.store(false, Ordering::Relaxed);
    Figures {
        rate,
        p50,
        p99,
        healthy,
        beside_hung,
    }
}

/// Figure 7 (see `backchannel.rs`). Each sign-in is a person of its own,
/// its sso_code minted straight into Redis.
pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    store: Arc<RedisStore>,
    grant: &Grant,
    logouts: &Receiver,
) -> Figures {
    let base = run.url("");
    let sign_in = {
        let (store, http, grant, base) = (store.clone(), http.clone(), grant.clone(), base.clone());
        move || -> futures::future::BoxFuture<'static, String> {
            let (store, http, mut grant, base) =
                (store.clone(), http.clone(), grant.clone(), base.clone());
            Box::pin(async move {
                grant.user.id = UserId::new();
                let code = Secret::generate();
                store
                    .put_code(
                        CodeKind::SsoCode,
                        &code.hash(),
                        &grant,
                        Duration::from_secs(60),
                    )
                    .await
                    .unwrap();
                let url = |tail: String| {
                    format!(
                        "{base}/sso/set?client_id=news&segment=news&state=bench-state-3\
                         &xd_receiver={NEWS_RECEIVER}&{tail}"
                    )
                };
                set_session(&http, &url(format!("sso_code={}", code.expose())), |t| {
                    url(format!("confirm={t}"))
                })
                .await
            })
        }
    };
    measure(run, http, logouts, sign_in).await
}
