//! The sender's loop: a bounded pool of attempts that claims again as soon
//! as a slot frees, so a receiver that never answers holds at most
//! [`PER_CLIENT`] slots and never the loop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::Delivery;
use super::attempt::deliver;
use super::breaker::{Attempt, Breaker};
use crate::domain::ClientId;
use crate::metrics;

/// Attempts in flight at once, all clients together.
const POOL: usize = 64;
/// Attempts in flight at once to one client.
const PER_CLIENT: usize = 8;
/// How often an idle instance looks for work queued by another, and for
/// retries that came due.
const POLL: Duration = Duration::from_millis(250);

/// One client's part of the pool.
#[derive(Default)]
struct Lane {
    in_flight: usize,
    breaker: Breaker,
    /// Its last claim took all it asked for: more may be due.
    more: bool,
}

/// The sender: runs as long as the server, taking due jobs from every
/// client's queue (this instance's and any other's). `owner` holds what
/// `parts` lends the sender (the server's state), for as long as it runs.
pub async fn run<T: Send + Sync + 'static>(owner: Arc<T>, parts: fn(&T) -> Delivery<'_>) {
    let state = parts(&owner);
    let mut lanes: HashMap<ClientId, Lane> = HashMap::new();
    let mut attempts: JoinSet<Attempt> = JoinSet::new();
    // Whose each attempt is, so even one that panicked frees its slot.
    let mut owners: HashMap<tokio::task::Id, ClientId> = HashMap::new();
    let mut next_poll = Instant::now();
    loop {
        let now = Instant::now();
        let polling = now >= next_poll;
        if polling {
            next_poll = now + POLL;
        }
        // What each client's lane may take now, then all the claims at once
        // (one round trip for the lot, not one per client in turn).
        let mut free = POOL - attempts.len();
        let mut wants: Vec<(&ClientId, usize)> = Vec::new();
        for (client, settings) in &state.settings.clients {
            if settings.backchannel_logout_uri.is_none() {
                continue;
            }
            let lane = lanes.entry(client.clone()).or_default();
            let allowance = lane.breaker.allowance(now, lane.in_flight, PER_CLIENT);
            if free == 0 || allowance == 0 || !(polling || lane.more) {
                continue;
            }
            let want = allowance.min(free);
            free -= want;
            wants.push((client, want));
        }
        let lease = state.settings.backchannel.lease();
        let claims = futures::future::join_all(
            wants
                .iter()
                .map(|&(client, want)| state.store.claim_logouts(client, want, lease)),
        )
        .await;
        for ((client, want), claimed) in wants.into_iter().zip(claims) {
            let claimed = match claimed {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::warn!(error = %err, "back-channel queue unavailable; retrying");
                    next_poll = Instant::now() + Duration::from_secs(1);
                    continue;
                }
            };
            let lane = lanes.entry(client.clone()).or_default();
            if claimed.unreadable > 0 {
                metrics::global()
                    .backchannel
                    .with_label_values(&["unreadable"])
                    .inc_by(claimed.unreadable as u64);
            }
            lane.more = claimed.jobs.len() + claimed.unreadable == want;
            if !claimed.jobs.is_empty() {
                lane.breaker.probing();
            }
            for (lease, job) in claimed.jobs {
                lane.in_flight += 1;
                let owner = Arc::clone(&owner);
                let task = attempts.spawn(async move {
                    deliver(parts(&owner), &lease, job).await.unwrap_or_else(|err| {
                        tracing::warn!(error = %err, "back-channel job left for another attempt");
                        Attempt::NotSent
                    })
                });
                owners.insert(task.id(), client.clone());
            }
        }
        tokio::select! {
            Some(done) = attempts.join_next_with_id(), if !attempts.is_empty() => {
                finish(&mut lanes, &mut owners, done);
                // Every other attempt that ended meanwhile too, so that the
                // next claim takes their slots in one round trip: claiming
                // one job per ended attempt made a burst of sign-outs wait
                // on a claim per delivery (6,400 deliveries/s against
                // 13,600 before the pool, `make bench` figure 7).
                while let Some(done) = attempts.try_join_next_with_id() {
                    finish(&mut lanes, &mut owners, done);
                }
            }
            () = state.sender.wake.notified() => next_poll = Instant::now(),
            () = tokio::time::sleep_until(next_poll) => {}
        }
    }
}

/// Frees an ended attempt's slot and tells its client's breaker how it went
/// (one that panicked counts as not sent).
fn finish(
    lanes: &mut HashMap<ClientId, Lane>,
    owners: &mut HashMap<tokio::task::Id, ClientId>,
    done: Result<(tokio::task::Id, Attempt), tokio::task::JoinError>,
) {
    let (task, attempt) = match done {
        Ok((task, attempt)) => (task, attempt),
        Err(err) => (err.id(), Attempt::NotSent),
    };
    let Some(client) = owners.remove(&task) else {
        return;
    };
    let Some(lane) = lanes.get_mut(&client) else {
        return;
    };
    lane.in_flight -= 1;
    let was_open = lane.breaker.is_open();
    lane.breaker.record(attempt, Instant::now());
    match (was_open, lane.breaker.is_open()) {
        (false, true) => {
            tracing::warn!(%client, "back-channel receiver keeps failing; its logouts wait, one probe at a time")
        }
        (true, false) => tracing::info!(%client, "back-channel receiver answers again"),
        _ => {}
    }
}
