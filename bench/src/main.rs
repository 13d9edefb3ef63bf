//! `make bench`: starts the release `sso-server` against a fresh
//! `redis-server`, measures, and prints each figure beside its target.
//!
//! 1. `/sso/check` with a live session vs `/healthz`, same server, same run
//!    (wrk, alternating rounds, the median reported).
//! 2. Redis bytes per SSO session after 100,000 sessions (`INFO memory` delta;
//!    `SSO_BENCH_ONLY=bytes` runs figures 1 to 3 alone).
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
//! 10. Refresh-token grants at `/oauth/token` per second beside `/healthz`
//!     (`refresh_grants.rs`).
//! 11. Silent authorization: `/oauth/authorize` with `prompt=none` for a
//!     signed-in browser, beside `/sso/check` and `/healthz`
//!     (`silent_authorization.rs`).
//! 13. The code check (`response_type=code`) beside the token check,
//!     `/healthz` and node oidc-provider's `prompt=none` (`code_check.rs`).
//! 14. `SSO_BENCH_ONLY=layout` alone: figure 2 for the session layout and
//!     its alternatives, modelled in Redis without a server
//!     (`layout_model.rs`).
//! 8. `/sso/check` on three instances sharing a six-node Redis Cluster
//!    beside one instance on one Redis node, and the cost of waiting for a
//!    replica at sign-in (`cluster.rs`).

mod backchannel;
mod check_parts;
mod cluster;
mod code_check;
mod layout_model;
mod passkeys;
mod profile;
mod redemptions;
mod refresh_grants;
mod report;
mod server;
mod sessions_list;
mod sign_ins;
mod silent_authorization;
mod wrk;

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use sso_core::authorization_codes::AuthorizationCodes;
use sso_core::config::AccessTokenKey;
use sso_core::domain::Secret;
use sso_core::domain::{ClientId, CodeKind, Grant, Profile, UserId};
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

/// A fresh folder for the request bodies of wrk's POST figures.
fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sso-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// As many people signed in as the password figure has callers.
async fn passkey_people<F, Fut>(sign_in: &F, run: &Running) -> Vec<String>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = String>,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut cookies = Vec::with_capacity(cores * 4);
    for _ in 0..cores * 4 {
        cookies.push(sign_in(run.url("")).await);
    }
    cookies
}

#[tokio::main]
async fn main() {
    // `SSO_BENCH_ONLY=layout make bench`: figure 2's layouts modelled, no server.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("layout") {
        report::print_layouts(&layout_model::figure());
        return;
    }
    let logouts = backchannel::Receiver::start();
    // The server's key, so that the bench can seal codes as it does.
    let key = AccessTokenKey::generate();
    let mut edits = backchannel::config_edits(&logouts.url);
    edits.push((
        "# access_token_key = \"…\"".to_owned(),
        format!("access_token_key = \"{}\"", key.to_base64()),
    ));
    let run = Running::start(&edits).await;
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
        method: sso_core::domain::AuthMethod::Password,
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
    // `make profile`: the flame graph of the check (profile.rs).
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("profile") {
        report::print_profile(&profile::check(&run, check_path, &cookie));
        return;
    }
    // `SSO_BENCH_ONLY=cluster make bench`: figure 8 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("cluster") {
        report::print_cluster(&cluster::figure(&run, check_path, sign_in).await);
        return;
    }
    // `SSO_BENCH_ONLY=sessions make bench`: figure 9 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("sessions") {
        report::print_sessions_list(
            &sessions_list::figure(&run, &http, &store, &grant, set_url, confirm_url).await,
        );
        return;
    }
    // `SSO_BENCH_ONLY=backchannel make bench`: figure 7 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("backchannel") {
        let f =
            backchannel::figure(&run, &http, std::sync::Arc::new(store), &grant, &logouts).await;
        report::print_backchannel(&f);
        return;
    }
    // `SSO_BENCH_ONLY=passkeys make bench`: figure 12 beside figure 4.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("passkeys") {
        let passwords = sign_ins::per_core(&run, &http, password).await;
        let people = passkey_people(&sign_in, &run).await;
        let f = passkeys::figure(&run, &http, &people).await;
        report::print_passkeys(&f, passwords.per_core);
        return;
    }
    // `SSO_BENCH_ONLY=api make bench`: figure 5 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("api") {
        let scratch = scratch_dir();
        let codes = AuthorizationCodes::new(&key);
        report::print_api(&redemptions::figure(&run, &http, &codes, &grant, &scratch).await);
        std::fs::remove_dir_all(&scratch).unwrap();
        return;
    }
    // `SSO_BENCH_ONLY=code make bench`: figure 13 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("code") {
        report::print_code_check(&code_check::figure(&run, &http, check_path, &cookie).await);
        return;
    }
    // `SSO_BENCH_ONLY=parts make bench`: figure 1's gap, part by part.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("parts") {
        check_parts::print(&check_parts::figure(&run, check_path, &cookie));
        return;
    }
    // `SSO_BENCH_ONLY=silent make bench`: figure 11 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("silent") {
        let f = silent_authorization::figure(&run, &http, check_path, &cookie).await;
        report::print_silent(&f);
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

    // 1: check vs healthz, alternating rounds.
    let rounds: Vec<(wrk::Load, wrk::Load)> = (0..ROUNDS)
        .map(|_| {
            let check = wrk::run(&run.url(check_path), Some(&cookie));
            (check, wrk::run(&run.url("/healthz"), None))
        })
        .collect();
    let ((check, health), ratios) = wrk::median_round(rounds, |(c, h)| c.rps / h.rps * 100.0);
    // `SSO_BENCH_ONLY=bytes make bench`: figures 1 to 3 alone.
    if std::env::var("SSO_BENCH_ONLY").as_deref() == Ok("bytes") {
        let median = check.rps / health.rps * 100.0;
        println!("Redis bytes per SSO session (100,000): {per_session:.0} B (target <= 400 B)");
        println!("  100,000 sign-ins through /sso/set in {set_secs:.1} s");
        println!("server RSS idle {rss_idle} KiB, after the sign-ins {rss_after} KiB");
        println!(
            "check / healthz: {median:.0} % ({:.0} vs {:.0} req/s; rounds {ratios:.0?} %)",
            check.rps, health.rps
        );
        return;
    }

    // 11: silent authorization beside the check.
    let silent = silent_authorization::figure(&run, &http, check_path, &cookie).await;
    // 13: the code check beside the token check and node oidc-provider.
    let code_check = code_check::figure(&run, &http, check_path, &cookie).await;

    let scratch = scratch_dir();
    // 5: code redemptions and createwithsso, beside /healthz.
    let codes = AuthorizationCodes::new(&key);
    let redemptions = redemptions::figure(&run, &http, &codes, &grant, &scratch).await;
    // 10: refresh grants, beside /healthz.
    let refresh = refresh_grants::figure(&run, &http, &store, &grant, &scratch).await;
    // 6: sign-in latency idle, then under a flood of wrong client secrets.
    let flood = sign_ins::under_flood(&run, &http, password, &scratch).await;
    std::fs::remove_dir_all(&scratch).unwrap();
    // 9: listing a person's 1,000 sessions.
    let listing = sessions_list::figure(&run, &http, &store, &grant, set_url, confirm_url).await;

    // 7: back-channel logout.
    let logout_figures =
        backchannel::figure(&run, &http, std::sync::Arc::new(store), &grant, &logouts).await;

    // 8: many instances on a cluster.
    let fleet = cluster::figure(&run, check_path, sign_in).await;

    // 4: sign-ins per second per core.
    let sign_ins = sign_ins::per_core(&run, &http, password).await;
    // 12: passkey sign-ins, beside them.
    let people = passkey_people(&sign_in, &run).await;
    let passkey_sign_ins = passkeys::figure(&run, &http, &people).await;
    let password_per_core = sign_ins.per_core;

    report::print(report::Summary {
        check,
        health,
        check_rounds: ratios,
        per_session,
        rss_idle,
        rss_after,
        set_secs,
        sign_ins,
        flood,
        redemptions,
        refresh,
        silent,
        code_check,
        logouts: logout_figures,
        listing,
        fleet,
    });
    report::print_passkeys(&passkey_sign_ins, password_per_core);
}
