//! OpenID Connect Back-Channel Logout 1.0: when a sign-in ends, for whatever
//! reason (`/sso/end`, the person or an application ending it, the session
//! limit, a new sign-in replacing it), every client that used it and
//! registered a `backchannel_logout_uri` is sent a logout token, server to
//! server, whether or not a browser is still open.
//!
//! Delivery is durable and shared: jobs wait in the store, one queue per
//! client, so several instances share them and a job an instance took but
//! did not finish is taken again by another once its lease runs out. Each
//! is retried with exponential backoff until `backchannel.retry_secs` after
//! the sign-out, then abandoned. Every attempt sends a token of its own
//! (new `jti` and `iat`): receivers refuse a `jti` they saw, and a retry
//! after a lost answer must still be taken.
//!
//! One receiver must not slow the others ([`dispatch`]): attempts run in a
//! bounded pool that claims again as soon as a slot frees, each client has
//! a cap on concurrent attempts, and a client that keeps failing is put
//! behind a circuit breaker ([`breaker`]).

mod attempt;
mod breaker;
mod dispatch;

pub use dispatch::run;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::clock::unix_now;
use crate::config::Settings;
use crate::domain::{BrowserSession, DeliveryState, LogoutJob};
use crate::metrics;
use crate::oidc::SigningKeys;
use crate::store::{Store, StoreError};

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The sender's parts: its HTTP client and a wake-up for work queued by
/// this instance.
pub struct Backchannel {
    http: reqwest::Client,
    wake: Notify,
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
        }
    }
}

/// What the sender works with: the settings (clients and their URIs), the
/// store's queues, the keys that sign logout tokens, and its HTTP client.
#[derive(Clone, Copy)]
pub struct Delivery<'a> {
    pub settings: &'a Settings,
    pub store: &'a dyn Store,
    pub keys: &'a SigningKeys,
    pub sender: &'a Backchannel,
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
    store: &dyn Store,
    settings: &Settings,
    sender: &Backchannel,
    ended: &BrowserSession,
) -> Result<Option<String>, StoreError> {
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
                    id: uuid::Uuid::new_v4().simple().to_string(),
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
    let mut users: Vec<_> = jobs.iter().map(|j| j.user).collect();
    users.sort_by_key(|u| u.0);
    users.dedup();
    let clients: Vec<_> = jobs.iter().map(|j| j.client.clone()).collect();
    store
        .start_signout(&signout, &users, &clients, keep)
        .await?;
    let cap = settings.backchannel.max_waiting_per_client;
    let evicted = store.enqueue_logouts(&jobs, cap).await?;
    for job in &evicted {
        abandoned(
            store,
            settings,
            job,
            "evicted",
            "its client's queue was full",
        )
        .await?;
    }
    sender.wake.notify_one();
    tracing::info!(%signout, logouts = jobs.len(), "back-channel logouts queued");
    Ok(Some(signout))
}

/// Delivery states outlive the retry window by a day, for `logout/status`.
fn keep_states(settings: &Settings) -> Duration {
    settings.backchannel.retry + Duration::from_secs(24 * 3600)
}

/// Counts a job given up on under `outcome` (`abandoned`: its window
/// passed or its client is gone; `evicted`: its client's queue was full),
/// and records it abandoned for `logout/status`.
async fn abandoned(
    store: &dyn Store,
    settings: &Settings,
    job: &LogoutJob,
    outcome: &str,
    why: &str,
) -> Result<(), StoreError> {
    metrics::global()
        .backchannel
        .with_label_values(&[outcome])
        .inc();
    tracing::warn!(client = %job.client, signout = %job.signout, attempts = job.attempts, why, "back-channel logout abandoned");
    store
        .set_delivery_state(
            &job.signout,
            &job.client,
            DeliveryState::Abandoned,
            keep_states(settings),
        )
        .await
}

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s, … at most a minute.
pub fn backoff(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(16);
    Duration::from_secs(1u64 << exp).min(MAX_BACKOFF)
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
