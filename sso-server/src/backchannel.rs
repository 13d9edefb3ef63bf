//! OpenID Connect Back-Channel Logout 1.0: when a sign-in ends, for whatever
//! reason (`/sso/end`, the person or an application ending it, the session
//! limit, a new sign-in replacing it), every client that used it and
//! registered a `backchannel_logout_uri` is sent a logout token, server to
//! server, whether or not a browser is still open.
//!
//! Delivery is durable and shared: jobs wait in the store (a Redis stream
//! read by one consumer group, so several instances share them and a job
//! an instance took but did not finish is taken again by another), each is
//! retried with exponential backoff until `backchannel.retry_secs` after the
//! sign-out, then abandoned. The token's `jti` is the same at every attempt,
//! so a receiver can ignore a repeat.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tokio::sync::Notify;

use crate::clock::{unix_now, unix_now_ms};
use crate::config::Settings;
use crate::domain::{BrowserSession, DeliveryState, LogoutJob};
use crate::metrics;
use crate::oidc::{LogoutClaims, sign_logout_token};
use crate::startup::AppState;
use crate::store::StoreError;

/// Jobs taken from the queue at once by one instance.
const BATCH: usize = 64;
/// How long a taken job is this instance's before another may take it.
const LEASE: Duration = Duration::from_secs(30);
/// How often an idle instance looks for work queued by another.
const POLL: Duration = Duration::from_millis(250);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The sender's parts: its HTTP client, a wake-up for work queued by this
/// instance, and its name in the consumer group.
pub struct Backchannel {
    http: reqwest::Client,
    wake: Notify,
    consumer: String,
}

impl Backchannel {
    pub fn new(settings: &Settings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.backchannel.timeout)
            // A receiver answers itself; a redirect is not followed.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(LocalhostResolver))
            .user_agent(concat!(
                "sso-server/",
                env!("CARGO_PKG_VERSION"),
                " back-channel logout"
            ))
            .build()
            .expect("the HTTP client's settings are valid");
        Self {
            http,
            wake: Notify::new(),
            consumer: format!("sso-{}", uuid::Uuid::new_v4().simple()),
        }
    }
}

/// RFC 6761 §6.3: `localhost` and every name under it are loopback. The
/// system resolver often does not know `*.localhost` (browsers do), and the
/// demo's and tests' site backends live there.
struct LocalhostResolver;

impl reqwest::dns::Resolve for LocalhostResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            if host == "localhost" || host.ends_with(".localhost") {
                let loopback = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
                let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(loopback));
                return Ok(addrs);
            }
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let addrs: reqwest::dns::Addrs = Box::new(found.collect::<Vec<_>>().into_iter());
            Ok(addrs)
        })
    }
}

/// Queues a logout for each client that used one of the `ended` sign-ins
/// and takes them. Returns the sign-out's id when anything was queued.
pub async fn announce(
    state: &AppState,
    ended: &BrowserSession,
) -> Result<Option<String>, StoreError> {
    let settings = &state.settings;
    let signout = uuid::Uuid::new_v4().simple().to_string();
    let now = unix_now();
    let mut jobs = Vec::new();
    for sign_in in ended.segments.values() {
        for client in sign_in.visits.keys() {
            let takes = settings
                .client(client)
                .is_some_and(|c| c.backchannel_logout_uri.is_some());
            if takes {
                jobs.push(LogoutJob {
                    jti: uuid::Uuid::new_v4().simple().to_string(),
                    signout: signout.clone(),
                    client: client.clone(),
                    user: sign_in.user.id,
                    sid: sign_in.id.clone(),
                    attempts: 0,
                    since: now,
                });
            }
        }
    }
    if jobs.is_empty() {
        return Ok(None);
    }
    let keep = keep_states(settings);
    for job in &jobs {
        state
            .store
            .set_delivery_state(&signout, &job.client, DeliveryState::Pending, keep)
            .await?;
    }
    state.store.enqueue_logouts(&jobs).await?;
    state.backchannel.wake.notify_one();
    tracing::info!(%signout, logouts = jobs.len(), "back-channel logouts queued");
    Ok(Some(signout))
}

/// Delivery states outlive the retry window by a day, for `logout/status`.
fn keep_states(settings: &Settings) -> Duration {
    settings.backchannel.retry + Duration::from_secs(24 * 3600)
}

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s, … at most a minute.
pub fn backoff(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(16);
    Duration::from_secs(1u64 << exp).min(MAX_BACKOFF)
}

/// The sender: runs as long as the server, taking due jobs from the queue
/// (this instance's and any other's) and delivering them concurrently.
pub async fn run(state: web::Data<AppState>) {
    loop {
        let claimed = match state
            .store
            .claim_logouts(&state.backchannel.consumer, BATCH, LEASE)
            .await
        {
            Ok(claimed) => claimed,
            Err(err) => {
                tracing::warn!(error = %err, "back-channel queue unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = state.backchannel.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        let mut deliveries = tokio::task::JoinSet::new();
        for (receipt, job) in claimed {
            let state = state.clone();
            deliveries.spawn(async move { deliver(&state, &receipt, job).await });
        }
        while let Some(done) = deliveries.join_next().await {
            if let Ok(Err(err)) = done {
                tracing::warn!(error = %err, "back-channel job left for another attempt");
            }
        }
    }
}

/// One attempt; then the job is done, waits for a retry, or is abandoned.
async fn deliver(state: &AppState, receipt: &str, mut job: LogoutJob) -> Result<(), StoreError> {
    let settings = &state.settings;
    let keep = keep_states(settings);
    let store = state.store.as_ref();
    let Some(uri) = settings
        .client(&job.client)
        .and_then(|c| c.backchannel_logout_uri.clone())
    else {
        // The client's URI was removed from the configuration meanwhile.
        store.finish_logout(receipt, None).await?;
        return store
            .set_delivery_state(&job.signout, &job.client, DeliveryState::Abandoned, keep)
            .await;
    };
    let now = unix_now();
    let claims = LogoutClaims::new(
        settings.issuer(),
        job.client.as_str(),
        &job.jti,
        job.user.to_string(),
        job.sid.as_str(),
        now,
    );
    let token = sign_logout_token(&state.id_tokens, &claims);
    let sent = state
        .backchannel
        .http
        .post(&uri)
        .header(reqwest::header::CACHE_CONTROL, "no-store")
        .form(&[("logout_token", token)])
        .send()
        .await;
    job.attempts += 1;
    let problem = match sent {
        // §2.8: 200 OK; any success status is taken as received.
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("answered {}", r.status())),
        Err(e) => Some(e.to_string()),
    };
    let counter = &metrics::global().backchannel;
    let Some(problem) = problem else {
        store.finish_logout(receipt, None).await?;
        counter.with_label_values(&["delivered"]).inc();
        tracing::info!(client = %job.client, signout = %job.signout, attempts = job.attempts, "back-channel logout delivered");
        return store
            .set_delivery_state(&job.signout, &job.client, DeliveryState::Delivered, keep)
            .await;
    };
    let retry_until =
        job.since + i64::try_from(settings.backchannel.retry.as_secs()).unwrap_or(i64::MAX);
    let wait = backoff(job.attempts);
    let due_ms = unix_now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    if due_ms / 1000 > retry_until {
        store.finish_logout(receipt, None).await?;
        counter.with_label_values(&["abandoned"]).inc();
        tracing::warn!(client = %job.client, signout = %job.signout, attempts = job.attempts, %problem, "back-channel logout abandoned");
        return store
            .set_delivery_state(&job.signout, &job.client, DeliveryState::Abandoned, keep)
            .await;
    }
    store.finish_logout(receipt, Some((&job, due_ms))).await?;
    counter.with_label_values(&["retried"]).inc();
    tracing::info!(client = %job.client, signout = %job.signout, attempts = job.attempts, %problem, "back-channel logout failed; will retry");
    store
        .set_delivery_state(&job.signout, &job.client, DeliveryState::Retrying, keep)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let waits: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
