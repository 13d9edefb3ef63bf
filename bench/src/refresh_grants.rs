//! Figure 10: refresh-token grants at `/oauth/token` per second, beside
//! `/healthz` in alternating wrk rounds. Each token redeems once, so chains
//! are written straight into Redis, as sport's code redemptions (the demo
//! client with refresh tokens) would begin them (of the bench's registered person: each grant checks they were not
//! signed out everywhere since), one per request.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use sso_core::clock::unix_now_ms;
use sso_core::domain::{ClientId, Grant, RefreshFamily, RefreshRecord, Secret, refresh_token_text};
use sso_core::store::{RedisStore, RefreshStore};

use crate::redemptions::{Beside, beside_healthz, bodies_file};
use crate::server::Running;
use crate::{API_ROUNDS, CODES_PER_ROUND, CONCURRENCY, wrk};

pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    store: &RedisStore,
    grant: &Grant,
    scratch: &Path,
) -> Beside {
    let now_ms = unix_now_ms();
    let sport = &ClientId::parse("sport").unwrap();
    let tokens: Vec<String> = futures::stream::iter(0..=API_ROUNDS * CODES_PER_ROUND)
        .map(|_| async move {
            let family = RefreshFamily::generate();
            let secret = Secret::generate();
            let record = RefreshRecord {
                current: secret.hash(),
                client: sport.clone(),
                ends_ms: now_ms + 3_600_000,
                issued_ms: now_ms,
                grant: Grant {
                    client: sport.clone(),
                    ..grant.clone()
                },
            };
            let ttl = Duration::from_secs(3600);
            store.put_refresh(&family, &record, ttl).await.unwrap();
            refresh_token_text(&family, &secret)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let url = run.url("/oauth/token");
    // The rate counts only if a grant succeeds: the first one, checked.
    let (probe, rest) = tokens.split_first().unwrap();
    let answer = http
        .post(&url)
        .basic_auth("sport", Some("sport-secret"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", probe)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    let lists: Vec<_> = rest
        .chunks(CODES_PER_ROUND)
        .enumerate()
        .map(|(i, tokens)| {
            let bodies = tokens
                .iter()
                .map(|t| format!("grant_type=refresh_token&refresh_token={t}"));
            bodies_file(scratch, &format!("refresh-{i}"), bodies)
        })
        .collect();
    let (rps, ratio, rounds) = beside_healthz(run, |round| {
        wrk::post_each(&url, "sport:sport-secret", &lists[round], false)
    });
    Beside { rps, ratio, rounds }
}
