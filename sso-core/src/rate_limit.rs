//! Throttling, counted in the store so it holds across instances: sign-in
//! attempts per client IP, failed sign-ins per account, and failed client
//! or application authentications per IP and per client.

use std::net::IpAddr;

use crate::config::RateLimitSettings;
use crate::store::{Store, StoreError};

/// Why an attempt was refused.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    /// The window's budget is spent: try again after this many seconds.
    #[error("too many attempts; try again in {0} seconds")]
    Limited(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn account_key(normalized_email: &str) -> String {
    format!("acct:{normalized_email}")
}

/// Counts one attempt from `ip`; refuses once the window's budget is spent.
pub async fn attempt_from(
    store: &dyn Store,
    limits: &RateLimitSettings,
    ip: Option<IpAddr>,
) -> Result<(), RateLimitError> {
    let Some(ip) = ip else { return Ok(()) };
    let count = store.hit(&format!("ip:{ip}"), limits.ip_window).await?;
    if count > limits.attempts_per_ip {
        tracing::warn!(%ip, "sign-in attempts from this address are being throttled");
        return Err(RateLimitError::Limited(limits.ip_window.as_secs()));
    }
    Ok(())
}

/// Reserves one password check against the account's failure budget before
/// the check runs: the count goes up first and the check is refused once the
/// window's budget is spent, so concurrent guesses cannot all slip in between
/// a read and a write. A successful sign-in gives the budget back
/// ([`clear_failures`]); a failed one keeps its reservation as its count.
pub async fn reserve_account_attempt(
    store: &dyn Store,
    limits: &RateLimitSettings,
    normalized_email: &str,
) -> Result<(), RateLimitError> {
    let count = store
        .hit(&account_key(normalized_email), limits.account_window)
        .await?;
    if count > limits.failures_per_account {
        return Err(RateLimitError::Limited(limits.account_window.as_secs()));
    }
    Ok(())
}

pub async fn clear_failures(store: &dyn Store, normalized_email: &str) -> Result<(), StoreError> {
    store.clear_hits(&account_key(normalized_email)).await?;
    Ok(())
}

fn auth_keys(ip: Option<IpAddr>, owner: &str) -> (Option<String>, String) {
    (
        ip.map(|ip| format!("auth:ip:{ip}")),
        format!("auth:o:{owner}"),
    )
}

/// Whether failed secret checks from `ip` or for `owner` (a client or an
/// application) have spent the window's budget.
pub async fn auth_throttled(
    store: &dyn Store,
    limits: &RateLimitSettings,
    ip: Option<IpAddr>,
    owner: &str,
) -> Result<bool, StoreError> {
    let (ip_key, owner_key) = auth_keys(ip, owner);
    let by_ip = async {
        match &ip_key {
            Some(key) => store.hits(key).await,
            None => Ok(0),
        }
    };
    let (ip_count, owner_count) = tokio::join!(by_ip, store.hits(&owner_key));
    Ok(ip_count? >= limits.auth_failures_per_ip || owner_count? >= limits.auth_failures_per_client)
}

/// Counts a failed secret check; `true` when the budget is now spent.
pub async fn auth_failed(
    store: &dyn Store,
    limits: &RateLimitSettings,
    ip: Option<IpAddr>,
    owner: &str,
) -> Result<bool, StoreError> {
    let (ip_key, owner_key) = auth_keys(ip, owner);
    let by_ip = async {
        match &ip_key {
            Some(key) => store.hit(key, limits.auth_window).await,
            None => Ok(0),
        }
    };
    let (ip_count, owner_count) = tokio::join!(by_ip, store.hit(&owner_key, limits.auth_window));
    let over =
        ip_count? > limits.auth_failures_per_ip || owner_count? > limits.auth_failures_per_client;
    if over {
        tracing::warn!(
            ?ip,
            owner,
            "failed client authentications are being throttled"
        );
    }
    Ok(over)
}
