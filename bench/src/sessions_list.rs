//! Figure 9: `GET /entity/sessions` for a person with 1,000 sessions (the
//! most the index holds): the time to the first page and to all 1,000 (the
//! pages one after another, following `next`), p50 of [`LISTS`] walks, and
//! the Redis commands a walk costs.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use sso_core::domain::Secret;
use sso_core::domain::{CodeKind, Grant};
use sso_core::store::{CodeStore, RedisStore};

use crate::server::{Running, redis_info};

const SESSIONS: usize = 1_000;
/// Walks timed: with the first, 60 pages, the most one person may ask for
/// in a minute.
const LISTS: usize = 5;

pub struct Figures {
    /// The first page, ms.
    pub first_ms: f64,
    /// Every page, ms.
    pub all_ms: f64,
    pub listed: usize,
    pub pages: usize,
    pub commands_per_walk: f64,
}

/// `total_commands_processed` from `INFO stats`.
fn commands_processed(url: &str) -> i64 {
    redis_info(url, "stats", "total_commands_processed")
}

/// `set_url(code)` and `confirm_url(token)` are news's `/sso/set` steps.
pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    store: &RedisStore,
    grant: &Grant,
    set_url: impl Fn(&str) -> String,
    confirm_url: impl Fn(&str) -> String + Copy,
) -> Figures {
    // The bench's registered person (a token needs its user record).
    let codes: Vec<Secret> = (0..SESSIONS).map(|_| Secret::generate()).collect();
    for code in &codes {
        let ttl = Duration::from_secs(600);
        store
            .put_code(CodeKind::SsoCode, &code.hash(), grant, ttl)
            .await
            .unwrap();
    }
    let cookies: Vec<String> = futures::stream::iter(codes.iter())
        .map(|c| {
            let url = set_url(c.expose());
            async move { crate::set_session(http, &url, confirm_url).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    // The person's access token, from a check in the last browser.
    let check = run.url(
        "/sso/check?client_id=news&segment=news&supported_segments=news-sport\
         &state=bench-list-1&xd_receiver=http://news.localhost:8081/xd_receiver.html\
         &flow=standard&flow_version=1&locale=en-US",
    );
    let r = http
        .get(check)
        .header("cookie", cookies.last().unwrap())
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let fragment = location.split_once('#').unwrap().1;
    let sso = url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == "sso")
        .unwrap()
        .1;
    let result: Value = serde_json::from_str(&sso).unwrap();
    let token = result["result"]["accessToken"]
        .as_str()
        .expect("an access token")
        .to_owned();

    // Every page, following `next`: (sessions listed, pages, time to the
    // first page, time to the last).
    let walk = || async {
        let started = Instant::now();
        let (mut listed, mut pages, mut first) = (0, 0, Duration::ZERO);
        let mut after: Option<String> = None;
        loop {
            let query = after
                .as_ref()
                .map_or(String::new(), |a| format!("?after={a}"));
            let r = http
                .get(run.url(&format!("/entity/sessions{query}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
            let body: Value = r.json().await.unwrap();
            pages += 1;
            if pages == 1 {
                first = started.elapsed();
            }
            listed += body["result"]["sessions"].as_array().map_or(0, Vec::len);
            match body["result"]["next"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => return (listed, pages, first, started.elapsed()),
            }
        }
    };
    let (listed, pages, ..) = walk().await;
    let before = commands_processed(&run.redis_url());
    let (mut first, mut all) = (Vec::new(), Vec::new());
    for _ in 0..LISTS {
        let (_, _, to_first, to_all) = walk().await;
        first.push(to_first.as_secs_f64() * 1000.0);
        all.push(to_all.as_secs_f64() * 1000.0);
    }
    // Less the INFO call that reads the count.
    let commands = commands_processed(&run.redis_url()) - before - 1;
    first.sort_by(f64::total_cmp);
    all.sort_by(f64::total_cmp);
    Figures {
        first_ms: first[LISTS / 2],
        all_ms: all[LISTS / 2],
        listed,
        pages,
        commands_per_walk: commands as f64 / LISTS as f64,
    }
}
