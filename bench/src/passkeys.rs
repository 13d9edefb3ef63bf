//! Figure 12: passkey sign-ins per second per core, beside password
//! sign-ins in the same run. A passkey sign-in is the site form's two
//! calls (`/oauth/passkey_challenge`, then `/oauth/auth_native_passkey`
//! with the authenticator's answer), driven by the test suite's P-256
//! authenticator: one person with one passkey per concurrent caller, as in
//! life (an answer must carry a counter above the last one the server saw,
//! and each sign-in writes its person's record).

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use sso_fleet::news_form;
use sso_test_support::Authenticator;

use crate::server::Running;

/// The demo's public URL: the passkeys' relying party and own origin.
const OWN_ORIGIN: &str = "http://sso.localhost:8080";
const NEWS_ORIGIN: &str = "http://news.localhost:8081";

pub struct Figure {
    pub cores: usize,
    pub per_core: f64,
    pub total: f64,
}

/// Adds a passkey for the browser holding `cookie` (news's family).
async fn add(run: &Running, http: &reqwest::Client, cookie: &str) -> Authenticator {
    let post = |path: &str, form: Vec<(&str, String)>| {
        http.post(run.url(path))
            .header("origin", OWN_ORIGIN)
            .header("cookie", cookie)
            .form(&form)
            .send()
    };
    let challenge: Value = post(
        "/account/passkeys/challenge",
        vec![("client_id", "news".into())],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let mut key = Authenticator::new(OWN_ORIGIN);
    let answer = key.create(&challenge["options"]);
    let added = post(
        "/account/passkeys/add",
        vec![
            ("client_id", "news".into()),
            (
                "ceremony",
                challenge["ceremony"].as_str().expect("a challenge").into(),
            ),
            ("credential", answer.to_string()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(added.status(), 200, "the passkey is added");
    key.origin = NEWS_ORIGIN.to_owned();
    key
}

/// One passkey sign-in on news's own form.
async fn sign_in(run: &Running, http: &reqwest::Client, key: &mut Authenticator) {
    let challenge: Value = http
        .post(run.url("/oauth/passkey_challenge"))
        .header("origin", NEWS_ORIGIN)
        .form(&[("client_id", "news")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut form = news_form("", "", false);
    form.retain(|(k, _)| !matches!(*k, "emailAddress" | "password" | "displayName"));
    form.push((
        "ceremony",
        challenge["ceremony"].as_str().expect("a challenge").into(),
    ));
    form.push(("credential", key.get(&challenge["options"]).to_string()));
    let r = http
        .post(run.url("/oauth/auth_native_passkey"))
        .header("origin", NEWS_ORIGIN)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 200, "passkey sign-in: {}", r.text().await.unwrap());
}

/// `cookies`: browsers signed in on news, one per caller, whose people
/// get a passkey each.
pub async fn figure(run: &Running, http: &reqwest::Client, cookies: &[String]) -> Figure {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut keys = Vec::with_capacity(cookies.len());
    for cookie in cookies {
        keys.push(add(run, http, cookie).await);
    }
    let window = Duration::from_secs(6);
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    futures::stream::iter(keys.iter_mut())
        .for_each_concurrent(None, |key| {
            let done = &done;
            async move {
                while started.elapsed() < window {
                    sign_in(run, http, key).await;
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        })
        .await;
    let total = done.into_inner() as f64 / started.elapsed().as_secs_f64();
    Figure {
        cores,
        per_core: total / cores as f64,
        total,
    }
}
