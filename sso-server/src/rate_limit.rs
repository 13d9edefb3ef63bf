//! Sign-in throttling, counted in the store so it holds across instances:
//! attempts per client IP, and failed sign-ins per account.

use std::net::IpAddr;

use crate::config::RateLimitSettings;
use crate::error::ApiError;
use crate::store::Store;

fn account_key(normalized_email: &str) -> String {
    format!("acct:{normalized_email}")
}

/// Counts one attempt from `ip`; refuses once the window's budget is spent.
pub async fn attempt_from(
    store: &dyn Store,
    limits: &RateLimitSettings,
    ip: Option<IpAddr>,
) -> Result<(), ApiError> {
    let Some(ip) = ip else { return Ok(()) };
    let count = store.hit(&format!("ip:{ip}"), limits.ip_window).await?;
    if count > limits.attempts_per_ip {
        tracing::warn!(%ip, "sign-in attempts from this address are being throttled");
        return Err(ApiError::RateLimited(limits.ip_window.as_secs()));
    }
    Ok(())
}

/// Refuses before any password check when the account has too many recent failures.
pub async fn check_account(
    store: &dyn Store,
    limits: &RateLimitSettings,
    normalized_email: &str,
) -> Result<(), ApiError> {
    if store.hits(&account_key(normalized_email)).await? >= limits.failures_per_account {
        return Err(ApiError::RateLimited(limits.account_window.as_secs()));
    }
    Ok(())
}

pub async fn record_failure(
    store: &dyn Store,
    limits: &RateLimitSettings,
    normalized_email: &str,
) -> Result<(), ApiError> {
    store
        .hit(&account_key(normalized_email), limits.account_window)
        .await?;
    Ok(())
}

pub async fn clear_failures(store: &dyn Store, normalized_email: &str) -> Result<(), ApiError> {
    store.clear_hits(&account_key(normalized_email)).await?;
    Ok(())
}
