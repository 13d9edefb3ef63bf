//! The in-process back-channel logout queues: one per client, each ordered
//! by due time (a claim reads only what is due) and by when each job was
//! queued (the cap takes out the oldest). A claimed job stays in its queue, due again when its
//! lease runs out, exactly as in Redis.

use async_trait::async_trait;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use super::*;
use crate::domain::{ClaimedLogouts, ClientId, LogoutJob, LogoutLease};

#[derive(Default)]
pub(super) struct LogoutQueues {
    clients: HashMap<ClientId, ClientQueue>,
}

#[derive(Default)]
struct ClientQueue {
    jobs: HashMap<String, Entry>,
    /// (due, id): what a claim reads, earliest first.
    due: BTreeSet<(i64, String)>,
    /// Queued order → id: what the cap takes out, oldest first.
    age: BTreeMap<u64, String>,
    queued: u64,
}

struct Entry {
    job: LogoutJob,
    /// Unix ms.
    due: i64,
    /// Its key in `age`.
    queued: u64,
}

impl ClientQueue {
    fn remove(&mut self, id: &str) -> Option<LogoutJob> {
        let entry = self.jobs.remove(id)?;
        self.due.remove(&(entry.due, id.to_owned()));
        self.age.remove(&entry.queued);
        Some(entry.job)
    }

    fn reschedule(&mut self, id: &str, due: i64) {
        if let Some(entry) = self.jobs.get_mut(id) {
            self.due.remove(&(entry.due, id.to_owned()));
            entry.due = due;
            self.due.insert((due, id.to_owned()));
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl LogoutQueues {
    pub(super) fn enqueue(&mut self, jobs: &[LogoutJob], cap: usize, now: i64) -> Vec<LogoutJob> {
        let mut evicted = Vec::new();
        for job in jobs {
            let queue = self.clients.entry(job.client.clone()).or_default();
            queue.remove(&job.id);
            let queued = queue.queued;
            queue.queued += 1;
            queue.jobs.insert(
                job.id.clone(),
                Entry {
                    job: job.clone(),
                    due: now,
                    queued,
                },
            );
            queue.due.insert((now, job.id.clone()));
            queue.age.insert(queued, job.id.clone());
            while queue.jobs.len() > cap {
                let Some((_, oldest)) = queue.age.first_key_value() else {
                    break;
                };
                let oldest = oldest.clone();
                evicted.extend(queue.remove(&oldest));
            }
        }
        evicted
    }

    pub(super) fn claim(
        &mut self,
        client: &ClientId,
        max: usize,
        lease: Duration,
        now: i64,
    ) -> ClaimedLogouts {
        let mut claimed = ClaimedLogouts::default();
        let Some(queue) = self.clients.get_mut(client) else {
            return claimed;
        };
        let until_ms = now.saturating_add(millis(lease));
        let due: Vec<String> = queue
            .due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .take(max)
            .map(|(_, id)| id.clone())
            .collect();
        for id in due {
            queue.reschedule(&id, until_ms);
            let job = queue.jobs[&id].job.clone();
            let lease = LogoutLease {
                client: client.clone(),
                id,
                until_ms,
            };
            claimed.jobs.push((lease, job));
        }
        claimed
    }

    pub(super) fn finish(
        &mut self,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
        now: i64,
    ) -> bool {
        let Some(queue) = self.clients.get_mut(&lease.client) else {
            return false;
        };
        if queue.jobs.get(&lease.id).map(|e| e.due) != Some(lease.until_ms) {
            return false;
        }
        match retry {
            None => {
                queue.remove(&lease.id);
                if queue.jobs.is_empty() {
                    self.clients.remove(&lease.client);
                }
            }
            Some((job, wait)) => {
                let due = now.saturating_add(millis(wait));
                queue.reschedule(&lease.id, due);
                if let Some(held) = queue.jobs.get_mut(&lease.id) {
                    held.job = job.clone();
                }
            }
        }
        true
    }
}

#[async_trait]
impl LogoutStore for MemoryStore {
    async fn enqueue_logouts(
        &self,
        jobs: &[LogoutJob],
        cap: usize,
    ) -> Result<Vec<LogoutJob>, StoreError> {
        Ok(self.lock().logouts.enqueue(jobs, cap, unix_now_ms()))
    }

    async fn claim_logouts(
        &self,
        client: &ClientId,
        max: usize,
        lease: Duration,
    ) -> Result<ClaimedLogouts, StoreError> {
        Ok(self.lock().logouts.claim(client, max, lease, unix_now_ms()))
    }

    async fn finish_logout(
        &self,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
    ) -> Result<bool, StoreError> {
        Ok(self.lock().logouts.finish(lease, retry, unix_now_ms()))
    }

    async fn start_signout(
        &self,
        signout: &str,
        users: &[UserId],
        clients: &[ClientId],
        keep: Duration,
    ) -> Result<(), StoreError> {
        let states = SignoutStates {
            users: users.to_vec(),
            deliveries: clients
                .iter()
                .map(|c| (c.clone(), DeliveryState::Pending))
                .collect(),
        };
        self.lock()
            .deliveries
            .insert(signout.to_owned(), states, keep);
        Ok(())
    }

    async fn set_delivery_state(
        &self,
        signout: &str,
        client: &ClientId,
        delivery: DeliveryState,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let mut states = state
            .deliveries
            .remove(&signout.to_owned())
            .unwrap_or_default();
        match states.deliveries.iter_mut().find(|(c, _)| c == client) {
            Some((_, s)) => *s = delivery,
            None => states.deliveries.push((client.clone(), delivery)),
        }
        state.deliveries.insert(signout.to_owned(), states, keep);
        Ok(())
    }

    async fn delivery_states(&self, signout: &str) -> Result<SignoutStates, StoreError> {
        Ok(self
            .lock()
            .deliveries
            .get(&signout.to_owned())
            .cloned()
            .unwrap_or_default())
    }
}
