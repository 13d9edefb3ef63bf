//! `make bench`: starts the release `sso-server` against a fresh
//! `redis-server`, measures, and prints each figure beside its target.
//!
//! 1. `/sso/check` with a live session vs `/healthz`, same server, same run
//!    (wrk, alternating rounds, the median reported).
//! 2. Redis bytes per SSO session after 100,000 sessions (`INFO memory` delta).
//! 3. Server RSS idle and after those sessions.
//! 4. Password sign-ins per second per core (argon2id, OWASP parameters).
//! 5. Code redemptions at `/oauth/token` and `session/createwithsso` calls
//!    per second, each beside `/healthz`, all driven by wrk in the same run
//!    (alternating rounds, median). createwithsso gets a pool of
//!    distinct ID tokens of this server; for context, also a response of an
//!    external provider, whose signature is checked every time.
//! 6. Password sign-in p50 idle and while 64 connections send wrong client
//!    secrets to `/oauth/token` (throttling lifted, so each is checked),
//!    alternating rounds, the median ratio reported.
//! 7. Back-channel logout to a local receiver (`backchannel.rs`): deliveries
//!    per second, and the time from `/sso/end` to the last of the three
//!    deliveries of a sign-in used by three sites.
//! 9. `GET /entity/sessions` for a person with 1,000 sessions
//!    (`sessions_list.rs`).
//! 8. `/sso/check` on three instances sharing a six-node Redis Cluster
//!    beside one instance on one Redis node, and the cost of waiting for a
//!    replica at sign-in (`cluster.rs`).

mod backchannel;
mod cluster;
mod server;
mod sessions_list;
mod wrk;

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use sso_core::domain::{ClientId, CodeKind, Grant, Profile, UserId};
use sso_core::domain::Secret;
use sso_core::store::{CodeStore, RedisStore};

use server::{Running, redis_used_memory};
use sso_fleet::news_form;

const SESSIONS: usize = 100_000;
const CONCURRENCY: usize = 64;
/// Rounds of check-then-healthz load.
const ROUNDS: usize = 5;
/// Rounds of each API figure beside /healthz.
const API_ROUNDS: usize = 3;
/// Codes for one 4-second wrk round of redemptions (up to 60,000/s).
const CODES_PER_ROUND: usize = 240_000;
/// Rounds of idle-then-flooded sign-ins, and sign-ins timed in each half.
const FLOOD_ROUNDS: usize = 3;
const FLOOD_SIGN_INS: usize = 20;
/// Distinct ID tokens for createwithsso.
const POOL: usize = 2_000;
const NEWS_RECEIVER: &str = "http://news.localhost:8081/xd_receiver.html";

/// Alternating wrk rounds of `work(round)` and `/healthz`: the median
/// ratio in percent, its rate, and every round's ratio.
fn beside_healthz(run: &Running, mut work: impl FnMut(usize) -> wrk::Load) -> (f64, f64, Vec<f64>) {
    let mut rounds: Vec<(f64, f64)> = (0..API_ROUNDS)
        .map(|round| {
            let load = work(round);
            let health = wrk::run(&run.url("/healthz"), None);
            (load.rps, load.rps / health.rps * 100.0)
        })
        .collect();
    let ratios = rounds.iter().map(|r| r.1).collect();
    rounds.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (rate, ratio) = rounds[API_ROUNDS / 2];
    (rate, ratio, ratios)
}

/// `/sso/set` as the library does it (`sso_fleet::flows::set_session`);
/// `name=value` of the session cookie, for a `Cookie` header.
async fn set_session(
    http: &reqwest::Client,
    set_url: &str,
    confirm_url: impl FnOnce(&str) -> String,
) -> String {
    let value = sso_fleet::flows::set_session(http, set_url.to_owned(), confirm_url)
        .await
        .unwrap_or_else(|e| panic!("/sso/set failed: {e}"));
    format!("sso_session={value}")
}

fn line(name: &str, value: String, target: &str, ok: bool) {
    let verdict = if ok { "ok" } else { "MISSED" };
    println!("{name:<44} {value:<34} target {target:<12} {verdict}");
}

#[tokio::main]
async fn main() {
    let logouts = backchannel::Receiver::start();
    let run = Running::start(&backchannel::config_edits(&logouts.url)).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = run.rss_kib();

    // A user and a live session.
    let password = "bench password 1234";
    let body: Value = http
        .post(run.url("/oauth/register_native_traditional"))
        .form(&news_form("bench@example.com", password, false))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uuid = body["capture_user"]["uuid"]
        .as_str()
        .expect("registered")
        .to_owned();
    let set_url = |code: &str| {
        run.url(&format!(
            "/sso/set?client_id=news&segment=news&state=bench-state-1&xd_receiver={NEWS_RECEIVER}&sso_code={code}"
        ))
    };
    let confirm_url = |token: &str| {
        run.url(&format!(
            "/sso/set?client_id=news&segment=news&state=bench-state-1&xd_receiver={NEWS_RECEIVER}&confirm={token}"
        ))
    };
    let cookie = set_session(
        &http,
        &set_url(body["sso_code"].as_str().unwrap()),
        confirm_url,
    )
    .await;

    // 2 + 3: 100,000 sessions through the real /sso/set path. The codes are
    // minted straight into Redis (minting them by password sign-in would
    // measure argon2, not sessions); they are consumed, so only sessions remain.
    let store = RedisStore::open(&run.redis_url()).await.unwrap();
    let before = redis_used_memory(&run.redis_url());
    let grant = Grant {
        user: Profile {
            id: UserId(uuid.parse().unwrap()),
            email: "bench@example.com".to_owned(),
            display_name: "Bench User".to_owned(),
        },
        client: ClientId::parse("news").unwrap(),
        redirect_uri: None,
        keep_me_logged_in: false,
        auth_time: 0,
        flow: None,
        code_challenge: None,
        nonce: None,
        session: None,
        sid: None,
    };
    let check_path = "/sso/check?client_id=sport&segment=sport&supported_segments=news-sport\
                      &state=bench-state-2&xd_receiver=http://sport.localhost:8082/xd_receiver.html\
                      &flow=standard&flow_version=1&locale=en-US";
    // A new person signed in on the server at `base`: their cookie.
    let sign_in = |base: String| {
        let http = http.clone();
        async move {
            let email = format!("bench-{}@example.com", UserId::new().0.simple());
            let body: Value = http
                .post(format!("{base}/oauth/register_native_traditional"))
                .form(&news_form(&email, "bench password 1234", false))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let code = body["sso_code"].as_str().expect("registered");
            let set = format!(
                "{base}/sso/set?client_id=news&segment=news&state=bench-state-1&xd_receiver={NEWS_RECEIVER}"
            );
            set_session(&http, &format!("{set}&sso_code={code}"), |token| {
                format!("{set}&confirm={token}")
            })
            .await
        }
    };
    // `SSO_BENCH_ONLY=cluster make bench`: figure 8 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("cluster") {
        print_cluster(&cluster::figure(&run, check_path, sign_in).await);
        return;
    }
    // `SSO_BENCH_ONLY=sessions make bench`: figure 9 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("sessions") {
        print_sessions_list(
            &sessions_list::figure(&run, &http, &store, &grant, set_url, confirm_url).await,
        );
        return;
    }
    // `SSO_BENCH_ONLY=backchannel make bench`: figure 7 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("backchannel") {
        let f = backchannel_figure(&run, &http, std::sync::Arc::new(store), &grant, &logouts).await;
        print_backchannel(&f);
        return;
    }
    // One person per session, as in life: each session is also one entry in
    // its person's index (the figure includes it).
    let codes: Vec<Secret> = (0..SESSIONS).map(|_| Secret::generate()).collect();
    futures::stream::iter(codes.iter())
        .for_each_concurrent(CONCURRENCY, |c| {
            let store = &store;
            let mut grant = grant.clone();
            grant.user.id = UserId::new();
            async move {
                store
                    .put_code(
                        CodeKind::SsoCode,
                        &c.hash(),
                        &grant,
                        Duration::from_secs(600),
                    )
                    .await
                    .unwrap();
            }
        })
        .await;
    let started = Instant::now();
    futures::stream::iter(codes.iter())
        .for_each_concurrent(CONCURRENCY, |c| {
            let http = &http;
            let url = set_url(c.expose());
            async move {
                set_session(http, &url, confirm_url).await;
            }
        })
        .await;
    let set_secs = started.elapsed().as_secs_f64();
    let after = redis_used_memory(&run.redis_url());
    let per_session = (after - before) as f64 / SESSIONS as f64;
    let rss_after = run.rss_kib();

    // 1: check vs healthz.
    // Alternating rounds: two cores shared by wrk, Redis and the server make
    // single runs noisy; the round with the median ratio is reported.
    let mut rounds: Vec<(wrk::Load, wrk::Load)> = (0..ROUNDS)
        .map(|_| {
            let check = wrk::run(&run.url(check_path), Some(&cookie));
            (check, wrk::run(&run.url("/healthz"), None))
        })
        .collect();
    rounds.sort_by(|a, b| (a.0.rps / a.1.rps).total_cmp(&(b.0.rps / b.1.rps)));
    let ratios: Vec<String> = rounds
        .iter()
        .map(|(c, h)| format!("{:.0}", c.rps / h.rps * 100.0))
        .collect();
    let (check, health) = rounds.swap_remove(ROUNDS / 2);

    // 5: code redemptions. Codes are minted straight into Redis, as a check
    // with response_type=code would (a redemption takes one each): a first
    // batch redeemed here for ID tokens, then one list per round for wrk.
    let auth_grant = Grant {
        redirect_uri: Some(NEWS_RECEIVER.to_owned()),
        flow: Some("standard".to_owned()),
        ..grant.clone()
    };
    let auth_codes: Vec<Secret> = (0..POOL + API_ROUNDS * CODES_PER_ROUND)
        .map(|_| Secret::generate())
        .collect();
    futures::stream::iter(auth_codes.iter().enumerate())
        .for_each_concurrent(CONCURRENCY, |(i, c)| {
            let store = &store;
            // The pool's codes are of distinct people: each ID token below
            // is linked to an account of its own, as a site's users are.
            let mut grant = auth_grant.clone();
            if i < POOL {
                grant.user.id = UserId::new();
            }
            async move {
                let ttl = Duration::from_secs(600);
                store
                    .put_code(CodeKind::AuthorizationCode, &c.hash(), &grant, ttl)
                    .await
                    .unwrap();
            }
        })
        .await;
    let (first, rest) = auth_codes.split_at(POOL);
    let receiver =
        url::form_urlencoded::byte_serialize(NEWS_RECEIVER.as_bytes()).collect::<String>();
    let redemption = |code: &Secret| {
        format!(
            "grant_type=authorization_code&code={}&redirect_uri={receiver}",
            code.expose()
        )
    };
    // Distinct ID tokens of this server, of distinct people: the responses
    // of createwithsso below.
    let token_url = run.url("/oauth/token");
    let pool: Vec<String> = futures::stream::iter(first)
        .map(|code| {
            let request = http
                .post(&token_url)
                .basic_auth("news", Some("news-secret"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(redemption(code));
            async move {
                let v: Value = request.send().await.unwrap().json().await.unwrap();
                v["id_token"].as_str().expect("an ID token").to_owned()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let scratch = std::env::temp_dir().join(format!("sso-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let code_lists: Vec<_> = rest
        .chunks(CODES_PER_ROUND)
        .enumerate()
        .map(|(i, codes)| {
            bodies_file(
                &scratch,
                &format!("codes-{i}"),
                codes.iter().map(redemption),
            )
        })
        .collect();
    let (redeem_rps, redeem_ratio, redeem_rounds) = beside_healthz(&run, |round| {
        wrk::post_each(&token_url, "news:news-secret", &code_lists[round], false)
    });

    // session/createwithsso with those ID tokens, each linked once to an
    // API user of its own (users on demand).
    let api = |path: &str| run.url(&format!("/api/{path}"));
    let link = |service: &'static str, response: String, n: usize| {
        let http = &http;
        async move {
            let created: Value = http
                .post(api("user/create"))
                .basic_auth("portal", Some("portal-secret"))
                .form(&[
                    ("email", format!("bench-{service}-{n}@example.com")),
                    ("displayname", "Bench".to_owned()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let user = created["body"]["user"]["id"].as_str().unwrap().to_owned();
            let linked = http
                .post(api("user/linkssotoken"))
                .basic_auth("portal", Some("portal-secret"))
                .form(&[
                    ("user", user.as_str()),
                    ("service", service),
                    ("response", &response),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(linked.status(), 200);
        }
    };
    futures::stream::iter(pool.iter().cloned().enumerate())
        .for_each_concurrent(CONCURRENCY, |(n, t)| link("federation", t, n))
        .await;
    let create_url = api("session/createwithsso");
    let federated = bodies_file(
        &scratch,
        "federated",
        pool.iter()
            .map(|t| format!("service=federation&response={t}")),
    );
    let (create_rps, create_ratio, create_rounds) = beside_healthz(&run, |_| {
        wrk::post_each(&create_url, "portal:portal-secret", &federated, true)
    });

    // For context: responses whose signature must be checked (an external
    // provider's; the demo partner's key is a test fixture).
    let partners: Vec<String> = (0..200).map(partner_token).collect();
    futures::stream::iter(partners.iter().cloned().enumerate())
        .for_each_concurrent(CONCURRENCY, |(n, t)| link("partner-idp", t, n))
        .await;
    let external = bodies_file(
        &scratch,
        "external",
        partners
            .iter()
            .map(|p| format!("service=partner-idp&response={p}")),
    );
    let (partner_rps, partner_ratio, _) = beside_healthz(&run, |_| {
        wrk::post_each(&create_url, "portal:portal-secret", &external, true)
    });

    // 6: sign-in latency idle, then under a flood of wrong client secrets.
    let sign_in_p50 = || async {
        let url = run.url("/oauth/auth_native_traditional");
        let form = news_form("bench@example.com", password, true);
        let mut took: Vec<f64> = Vec::with_capacity(FLOOD_SIGN_INS);
        for _ in 0..FLOOD_SIGN_INS {
            let started = Instant::now();
            let r = http.post(&url).form(&form).send().await.unwrap();
            assert_eq!(r.status(), 200, "sign-in succeeds");
            took.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        took.sort_by(f64::total_cmp);
        took[FLOOD_SIGN_INS / 2]
    };
    let wrong_secret = bodies_file(&scratch, "wrong-secret", [redemption(&Secret::generate())]);
    let mut flood_rounds = Vec::with_capacity(FLOOD_ROUNDS);
    for _ in 0..FLOOD_ROUNDS {
        let idle = sign_in_p50().await;
        let flood = wrk::Flood::start(&token_url, "news:not-the-secret", &wrong_secret, 64, 120);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let flooded = sign_in_p50().await;
        let flood = flood.finish();
        flood_rounds.push((idle, flooded, flood));
    }
    let flood_ratios: Vec<f64> = flood_rounds.iter().map(|(i, f, _)| f / i).collect();
    flood_rounds.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
    let (idle_p50, flooded_p50, flood) = flood_rounds.swap_remove(FLOOD_ROUNDS / 2);
    std::fs::remove_dir_all(&scratch).unwrap();

    // 9: listing a person's 1,000 sessions.
    let listing = sessions_list::figure(&run, &http, &store, &grant, set_url, confirm_url).await;

    // 7: back-channel logout.
    let logout_figures =
        backchannel_figure(&run, &http, std::sync::Arc::new(store), &grant, &logouts).await;

    // 8: many instances on a cluster.
    let fleet = cluster::figure(&run, check_path, sign_in).await;

    // 4: sign-ins per second per core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let window = Duration::from_secs(6);
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    futures::stream::iter(0..cores * 4)
        .for_each_concurrent(None, |_| {
            let (http, done, form) = (&http, &done, news_form("bench@example.com", password, true));
            let url = run.url("/oauth/auth_native_traditional");
            async move {
                while started.elapsed() < window {
                    let r = http.post(&url).form(&form).send().await.unwrap();
                    assert_eq!(r.status(), 200, "sign-in succeeds");
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        })
        .await;
    let sign_ins = done.into_inner() as f64 / started.elapsed().as_secs_f64();
    let per_core = sign_ins / cores as f64;

    // The ceiling for 4: argon2id alone on every core at once (they share
    // memory bandwidth: 19 MiB each), no HTTP, store or load client.
    let hasher = sso_core::password::PasswordHasher::new();
    let started = Instant::now();
    let hashes = std::sync::atomic::AtomicUsize::new(0);
    futures::stream::iter(0..cores * 2)
        .for_each_concurrent(None, |_| {
            let (hasher, hashes) = (&hasher, &hashes);
            async move {
                while started.elapsed() < Duration::from_secs(4) {
                    let pw = sso_core::domain::Password::parse(password).unwrap();
                    hasher.hash(pw).await.unwrap();
                    hashes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        })
        .await;
    let raw_per_core = hashes.into_inner() as f64 / started.elapsed().as_secs_f64() / cores as f64;

    println!();
    println!("sso-server benchmark ({cores} cores; release build; Redis store; log level warn)");
    println!();
    let ratio = check.rps / health.rps * 100.0;
    line(
        "/sso/check with live session",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            check.rps, check.p50_ms, check.p99_ms
        ),
        "",
        true,
    );
    line(
        "/healthz (same server, same run)",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            health.rps, health.p50_ms, health.p99_ms
        ),
        "",
        true,
    );
    line(
        "check rate / healthz rate (median round)",
        format!("{ratio:.0} % (rounds: {} %)", ratios.join(", ")),
        ">= 50 %",
        ratio >= 50.0,
    );
    line(
        "Redis bytes per SSO session (100,000)",
        format!("{per_session:.0} B"),
        "<= 400 B",
        per_session <= 400.0,
    );
    line(
        "server RSS idle",
        format!("{:.1} MB", rss_idle as f64 / 1024.0),
        "<= 20 MB",
        rss_idle as f64 / 1024.0 <= 20.0,
    );
    line(
        "server RSS after 100,000 sessions",
        format!(
            "{:.1} MB ({:.0} sign-ins/s, each a set and its confirmation)",
            rss_after as f64 / 1024.0,
            SESSIONS as f64 / set_secs
        ),
        "(report)",
        true,
    );
    line(
        "password sign-ins per second per core",
        format!("{per_core:.1} /s/core ({sign_ins:.1} /s total)"),
        ">= 30",
        per_core >= 30.0,
    );
    line(
        "  ceiling: argon2id alone, all cores",
        format!("{raw_per_core:.1} hashes/s/core"),
        "(context)",
        true,
    );
    let rounds = |r: &[f64]| {
        r.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let flood_ratio = flooded_p50 / idle_p50;
    line(
        "sign-in p50 under wrong-secret flood / idle",
        format!(
            "{flood_ratio:.2}x ({idle_p50:.0} -> {flooded_p50:.0} ms; rounds {})",
            flood_ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "<= 1.5x",
        flood_ratio <= 1.5,
    );
    line(
        "  the flood: 64 connections, wrong secrets",
        format!("{:.0} req/s, {} refused", flood.rps, flood.refused),
        "(context)",
        true,
    );
    line(
        "/oauth/token redemptions / healthz",
        format!(
            "{redeem_ratio:.0} % ({redeem_rps:.0}/s; rounds {} %)",
            rounds(&redeem_rounds)
        ),
        ">= 30 %",
        redeem_ratio >= 30.0,
    );
    line(
        "session/createwithsso / healthz",
        format!(
            "{create_ratio:.0} % ({create_rps:.0}/s; rounds {} %)",
            rounds(&create_rounds)
        ),
        ">= 30 %",
        create_ratio >= 30.0,
    );
    print_backchannel(&logout_figures);
    print_sessions_list(&listing);
    print_cluster(&fleet);
    line(
        "  context: createwithsso, signature checked",
        format!("{partner_ratio:.0} % ({partner_rps:.0}/s; an oidc service's ES256 response)"),
        "(context)",
        true,
    );
}

fn print_sessions_list(f: &sessions_list::Figures) {
    line(
        "GET /entity/sessions, 1,000 sessions",
        format!(
            "first page {:.1} ms, all {} in {} pages {:.1} ms, {:.0} Redis commands",
            f.first_ms, f.listed, f.pages, f.all_ms, f.commands_per_walk
        ),
        "(report)",
        true,
    );
}

fn print_backchannel(f: &backchannel::Figures) {
    line(
        "back-channel logouts delivered per second",
        format!(
            "{:.0} /s (1,000 sign-ins used by 3 sites, ended at once)",
            f.rate
        ),
        "(report)",
        true,
    );
    line(
        "/sso/end to the last of 3 deliveries",
        format!("p50 {:.1} ms, p99 {:.1} ms (200 sign-outs)", f.p50, f.p99),
        "(report)",
        true,
    );
    let ((hp50, hp99), (p50, p99)) = (f.healthy, f.beside_hung);
    line(
        "/sso/end to news, sport's receiver hung",
        format!(
            "p50 {p50:.1} / p99 {p99:.1} ms; all healthy {hp50:.1} / {hp99:.1} ms ({:.2}× / {:.2}×)",
            p50 / hp50,
            p99 / hp99
        ),
        "<= 2× healthy",
        p50 <= 2.0 * hp50 && p99 <= 2.0 * hp99,
    );
}

fn print_cluster(f: &cluster::Figures) {
    let ratio = f.fleet.rps / f.single.rps * 100.0;
    let rounds = f
        .ratios
        .iter()
        .map(|r| format!("{r:.0}"))
        .collect::<Vec<_>>()
        .join(", ");
    line(
        "/sso/check, 1 instance on 1 Redis node",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            f.single.rps, f.single.p50_ms, f.single.p99_ms
        ),
        "",
        true,
    );
    line(
        "/sso/check, 3 instances on a 6-node cluster",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            f.fleet.rps, f.fleet.p50_ms, f.fleet.p99_ms
        ),
        "",
        true,
    );
    line(
        "  3 on the cluster / 1 on one node",
        format!("{ratio:.0} % (rounds {rounds} %; same 2 cores: the cost, not scaling)"),
        "(report)",
        true,
    );
    line(
        "sign-in write on the cluster, p50 / p99",
        format!(
            "{:.2} / {:.2} ms; waiting for 1 replica {:.2} / {:.2} ms",
            f.write_plain.0, f.write_plain.1, f.write_acked.0, f.write_acked.1
        ),
        "(report)",
        true,
    );
}

/// Figure 7 (see `backchannel.rs`). Each sign-in is a person of its own,
/// its sso_code minted straight into Redis.
async fn backchannel_figure(
    run: &Running,
    http: &reqwest::Client,
    store: std::sync::Arc<RedisStore>,
    grant: &Grant,
    logouts: &backchannel::Receiver,
) -> backchannel::Figures {
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
    backchannel::measure(run, http, logouts, sign_in).await
}

/// A file of request bodies for [`wrk::post_each`], one per line.
fn bodies_file(
    dir: &std::path::Path,
    name: &str,
    bodies: impl IntoIterator<Item = String>,
) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.txt"));
    let lines: Vec<String> = bodies.into_iter().collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

/// An ID token of the demo's external provider for person `n`, signed
/// with its test key.
fn partner_token(n: usize) -> String {
    let key = include_bytes!("../../sso-server/tests/fixtures/partner-idp.key.pem");
    let jwks: Value = serde_json::from_str(include_str!(
        "../../sso-core/config/partner-idp.jwks.json"
    ))
    .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = jwks["keys"][0]["kid"].as_str().map(str::to_owned);
    let now = sso_core::clock::unix_now();
    let claims = serde_json::json!({
        "iss": "https://idp.partner.example", "aud": "sso-demo", "sub": format!("bench-partner-user-{n}"),
        "iat": now, "exp": now + 3600,
    });
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(key).unwrap(),
    )
    .unwrap()
}
