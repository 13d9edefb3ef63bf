//! Figures 4 and 6: password sign-ins per second per core (with argon2id
//! alone on every core as the ceiling), and sign-in latency idle and while
//! 64 connections send wrong client secrets to `/oauth/token`.

use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use sso_core::domain::Secret;
use sso_fleet::news_form;

use crate::redemptions::{bodies_file, redemption};
use crate::server::Running;
use crate::{FLOOD_ROUNDS, FLOOD_SIGN_INS, wrk};

pub struct PerCore {
    pub cores: usize,
    pub per_core: f64,
    pub total: f64,
    /// argon2id alone, hashes per second per core.
    pub ceiling_per_core: f64,
}

pub async fn per_core(run: &Running, http: &reqwest::Client, password: &str) -> PerCore {
    // 4: sign-ins per second per core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let window = Duration::from_secs(6);
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    futures::stream::iter(0..cores * 4)
        .for_each_concurrent(None, |_| {
            let (http, done, form) = (http, &done, news_form("bench@example.com", password, true));
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
    PerCore {
        cores,
        per_core,
        total: sign_ins,
        ceiling_per_core: raw_per_core,
    }
}

pub struct Flood {
    pub idle_p50: f64,
    pub flooded_p50: f64,
    /// Flooded / idle, every round.
    pub ratios: Vec<f64>,
    pub flood: wrk::FloodResult,
}

pub async fn under_flood(
    run: &Running,
    http: &reqwest::Client,
    password: &str,
    scratch: &Path,
) -> Flood {
    let token_url = run.url("/oauth/token");
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
    let wrong_secret = bodies_file(
        scratch,
        "wrong-secret",
        [redemption(Secret::generate().expose())],
    );
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
    Flood {
        idle_p50,
        flooded_p50,
        ratios: flood_ratios,
        flood,
    }
}
