//! The soak's load: who signs in, what each operation does, and the
//! capacity measured before the run.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sso_core::domain::SessionCookie;
use sso_fleet::flows::{delivered, set_session, transport};
use sso_fleet::news_form;

/// People, each signed in once at the start and never signed out; their
/// sessions carry the checks and redemptions, at most a few codes a minute
/// each (the server allows 60 outstanding per session).
pub(crate) const USERS: usize = 1_000;
pub(crate) const PASSWORD: &str = "soak password 1234";
pub(crate) const RECEIVER: &str = "http://news.localhost:8081/xd_receiver.html";
/// Sign-outs only take sessions while more than this many besides the
/// first sign-ins are live.
pub(crate) const MIN_LIVE: usize = 100;
/// Requests in flight at most; an operation due beyond it is counted as
/// shed (the load generator, not the server, fell behind).
pub(crate) const MAX_IN_FLIGHT: usize = 256;
pub(crate) const CALIBRATION: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Op {
    Check,
    Redeem,
    SignIn,
    SignOut,
}

impl Op {
    /// Per 100 operations: 80 checks, 12 redemptions, 4 sign-ins, 4 sign-outs.
    pub(crate) fn nth(n: usize) -> Self {
        match n % 100 {
            0..80 => Self::Check,
            80..92 => Self::Redeem,
            92..96 => Self::SignIn,
            _ => Self::SignOut,
        }
    }
}

pub(crate) struct Load {
    pub(crate) http: reqwest::Client,
    pub(crate) instances: Vec<String>,
    /// Instances out of the rotation (being restarted).
    pub(crate) down: Vec<AtomicBool>,
    pub(crate) next: AtomicUsize,
    pub(crate) pick: AtomicUsize,
    /// Session cookies of live sign-ins; `true` for the first sign-in of
    /// each person, which no sign-out takes (their survival is measured).
    pub(crate) live: Mutex<Vec<(String, bool)>>,
    /// Sessions a sign-out took: a check that was already under way may
    /// rightly find them gone.
    pub(crate) ended: Mutex<HashSet<String>>,
    pub(crate) user: AtomicUsize,
}

/// One finished operation.
pub(crate) struct Sample {
    /// When it was sent.
    pub(crate) at: Instant,
    pub(crate) latency: Duration,
    pub(crate) error: Option<String>,
}

impl Load {
    pub(crate) fn url(&self, path: &str) -> String {
        let n = self.instances.len();
        for _ in 0..n {
            let i = self.next.fetch_add(1, Ordering::Relaxed) % n;
            if !self.down[i].load(Ordering::Relaxed) {
                return format!("{}{path}", self.instances[i]);
            }
        }
        format!("{}{path}", self.instances[0])
    }

    pub(crate) async fn run(&self, op: Op) -> Result<(), String> {
        match op {
            Op::Check => self.check().await,
            Op::Redeem => self.redeem().await,
            Op::SignIn => self.sign_in().await,
            Op::SignOut => self.sign_out().await,
        }
    }

    /// A live session, spread evenly (Fibonacci hashing of a counter), so
    /// no one person's page views exceed what a person makes.
    pub(crate) fn any_session(&self) -> Option<String> {
        let n = self.pick.fetch_add(1, Ordering::Relaxed) as u64;
        let live = self.live.lock().unwrap();
        let spread = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize;
        (!live.is_empty()).then(|| live[spread % live.len()].0.clone())
    }

    pub(crate) async fn check(&self) -> Result<(), String> {
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

    pub(crate) async fn sso_check(
        &self,
        cookie: &str,
        response_type: &str,
    ) -> Result<Value, String> {
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

    pub(crate) async fn redeem(&self) -> Result<(), String> {
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

    pub(crate) async fn sign_in(&self) -> Result<(), String> {
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
    pub(crate) async fn set_session(&self, code: &str) -> Result<String, String> {
        let base = format!(
            "/sso/set?client_id=news&segment=news&state=soak-state-02&xd_receiver={RECEIVER}"
        );
        let park = self.url(&format!("{base}&sso_code={code}"));
        set_session(&self.http, park, |token| {
            self.url(&format!("{base}&confirm={token}"))
        })
        .await
    }

    pub(crate) async fn sign_out(&self) -> Result<(), String> {
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

pub(crate) fn email(n: usize) -> String {
    format!("soak-{n}@example.com")
}

pub(crate) fn p99(latencies: &mut [Duration]) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    latencies.sort();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

/// Runs operations closed-loop with `concurrency` workers for `period`:
/// operations per second.
pub(crate) async fn capacity(load: &Arc<Load>, concurrency: usize, period: Duration) -> f64 {
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

pub(crate) fn session_key(cookie: &str) -> String {
    let sid = SessionCookie::parse(cookie)
        .expect("a session cookie")
        .sid();
    sso_core::store::redis_session_key(&sid)
}
