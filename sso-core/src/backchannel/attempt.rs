//! One delivery attempt of one claimed job, and what becomes of the job:
//! delivered, due again after its backoff, or abandoned.

use super::Delivery;
use super::breaker::Attempt;
use super::{abandoned, backoff, keep_states};
use crate::clock::unix_now;
use crate::domain::{DeliveryState, LogoutJob, LogoutLease};
use crate::metrics;
use crate::oidc::{LogoutClaims, sign_logout_token};
use crate::store::StoreError;

/// Sends `job`'s logout token once and finishes the job in the store.
pub async fn deliver(
    parts: Delivery<'_>,
    lease: &LogoutLease,
    mut job: LogoutJob,
) -> Result<Attempt, StoreError> {
    let Delivery {
        settings,
        store,
        keys,
        sender,
    } = parts;
    let now = unix_now();
    let retry_until =
        job.since + i64::try_from(settings.backchannel.retry.as_secs()).unwrap_or(i64::MAX);
    let uri = settings
        .client(&job.client)
        .and_then(|c| c.backchannel_logout_uri.clone());
    // Its window passed while it waited (behind an open breaker), or the
    // client's URI was removed from the configuration meanwhile.
    let Some(uri) = uri.filter(|_| now <= retry_until) else {
        if store.finish_logout(lease, None).await? {
            abandoned(
                store,
                settings,
                &job,
                "abandoned",
                "not sent: past its window or no URI",
            )
            .await?;
        }
        return Ok(Attempt::NotSent);
    };
    let jti = uuid::Uuid::new_v4().simple().to_string();
    let claims = LogoutClaims::new(
        settings.issuer(),
        job.client.as_str(),
        &jti,
        job.user.to_string(),
        job.sid.as_str(),
        now,
    );
    let token = sign_logout_token(keys, &claims);
    let sent = sender
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
    let keep = keep_states(settings);
    let counter = &metrics::global().backchannel;
    let Some(problem) = problem else {
        if store.finish_logout(lease, None).await? {
            counter.with_label_values(&["delivered"]).inc();
            tracing::info!(client = %job.client, signout = %job.signout, attempts = job.attempts, "back-channel logout delivered");
            store
                .set_delivery_state(&job.signout, &job.client, DeliveryState::Delivered, keep)
                .await?;
        }
        return Ok(Attempt::Delivered);
    };
    let wait = backoff(job.attempts);
    let due = now + i64::try_from(wait.as_secs()).unwrap_or(i64::MAX);
    if due > retry_until {
        if store.finish_logout(lease, None).await? {
            abandoned(store, settings, &job, "abandoned", &problem).await?;
        }
        return Ok(Attempt::Failed);
    }
    if store.finish_logout(lease, Some((&job, wait))).await? {
        counter.with_label_values(&["retried"]).inc();
        tracing::info!(client = %job.client, signout = %job.signout, attempts = job.attempts, %problem, "back-channel logout failed; will retry");
        store
            .set_delivery_state(&job.signout, &job.client, DeliveryState::Retrying, keep)
            .await?;
    }
    Ok(Attempt::Failed)
}
