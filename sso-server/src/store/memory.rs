//! The in-process store: the embedded default, for `make run` and single
//! instances. Same semantics as Redis, including TTLs and take-once codes;
//! state is lost on restart.

mod logout_queue;
mod state;

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use self::state::State;
use super::{InsertUserError, LinkError, Removal, SessionRecord, Store, StoreError};
use crate::clock::{unix_now, unix_now_ms};
use crate::domain::{
    ApiSession, BrowserSession, ClaimedLogouts, ClientId, CodeKind, DeliveryState, Grant,
    IndexEntry, LogoutJob, LogoutLease, Segment, ServiceId, SessionId, SessionTarget,
    SignoutStates, User, UserId,
};
use crate::secrets::SecretHash;

/// In-process store. One mutex: every operation is a few map operations, so
/// contention stays far below the cost of the HTTP request around it.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (each operation completes its writes before returning), so a
        // poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        drop(self.lock());
        Ok(())
    }

    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError> {
        let mut state = self.lock();
        let email = Some(&user.email_normalized).filter(|e| !e.is_empty());
        let emails = match user.api_user {
            true => &state.api_emails,
            false => &state.emails,
        };
        if email.is_some_and(|e| emails.contains_key(e)) {
            return Err(InsertUserError::EmailTaken);
        }
        if let Some(name) = &user.username
            && state.usernames.contains_key(name)
        {
            return Err(InsertUserError::UsernameTaken);
        }
        if let Some(email) = email {
            match user.api_user {
                true => state.api_emails.insert(email.clone(), user.id),
                false => state.emails.insert(email.clone(), user.id),
            };
        }
        if let Some(name) = &user.username {
            state.usernames.insert(name.clone(), user.id);
        }
        state.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn user_for_token(&self, id: UserId) -> Result<(Option<User>, i64), StoreError> {
        let state = self.lock();
        let revoked = state.revoked_tokens.get(&id).copied().unwrap_or(0);
        Ok((state.users.get(&id).cloned(), revoked))
    }

    async fn revoke_tokens(
        &self,
        user: UserId,
        until_ms: i64,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let was = state.revoked_tokens.get(&user).copied().unwrap_or(0);
        state.revoked_tokens.insert(user, was.max(until_ms), keep);
        Ok(())
    }

    async fn user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let state = self.lock();
        Ok(state
            .emails
            .get(normalized_email)
            .and_then(|id| state.users.get(id))
            .cloned())
    }

    async fn put_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
        grant: &Grant,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .codes(kind)
            .insert(code.clone(), grant.clone(), ttl);
        Ok(())
    }

    async fn take_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
    ) -> Result<Option<Grant>, StoreError> {
        Ok(self.lock().codes(kind).remove(code))
    }

    async fn session(&self, sid: &SecretHash) -> Result<BrowserSession, StoreError> {
        Ok(self.lock().sessions.get(sid).cloned().unwrap_or_default())
    }

    async fn session_records(
        &self,
        targets: &[&SessionTarget],
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let state = self.lock();
        Ok(targets
            .iter()
            .map(|target| match target {
                SessionTarget::Browser { sid, .. } => {
                    SessionRecord::Browser(state.sessions.get(sid).cloned().unwrap_or_default())
                }
                SessionTarget::Api { sid } => {
                    SessionRecord::Api(state.api_sessions.get(sid).cloned())
                }
            })
            .collect())
    }

    async fn save_session(
        &self,
        sid: &SecretHash,
        session: &BrowserSession,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .sessions
            .insert(sid.clone(), session.clone(), ttl);
        Ok(())
    }

    async fn delete_session(&self, sid: &SecretHash) -> Result<(), StoreError> {
        self.lock().sessions.remove(sid);
        Ok(())
    }

    async fn record_visit(
        &self,
        sid: &SecretHash,
        segment: &Segment,
        client: &ClientId,
        logout_index: u8,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(entry) = state.sessions.get_mut(sid)
            && let Some(seg) = entry.value.segments.get_mut(segment)
        {
            seg.visits.insert(client.clone(), logout_index);
        }
        Ok(())
    }

    async fn remove_segments(
        &self,
        sid: &SecretHash,
        segments: &[Segment],
    ) -> Result<Removal, StoreError> {
        let mut state = self.lock();
        let mut removal = Removal::default();
        let Some(entry) = state.sessions.get_mut(sid) else {
            removal.session_gone = true;
            return Ok(removal);
        };
        for segment in segments {
            if let Some(s) = entry.value.segments.remove(segment) {
                removal.removed.segments.insert(segment.clone(), s);
            }
        }
        if entry.value.is_empty() {
            state.sessions.remove(sid);
            removal.session_gone = true;
        }
        Ok(removal)
    }

    async fn link_sso_token(
        &self,
        service: &ServiceId,
        token: &SecretHash,
        user: UserId,
    ) -> Result<(), LinkError> {
        let mut state = self.lock();
        let by_user = (service.clone(), user);
        let by_token = (service.clone(), token.clone());
        match (
            state.user_tokens.get(&by_user),
            state.token_users.get(&by_token),
        ) {
            (Some(linked), _) if linked == token => return Ok(()),
            (Some(_), _) => return Err(LinkError::UserHasToken),
            (None, Some(_)) => return Err(LinkError::TokenLinkedElsewhere),
            (None, None) => {}
        }
        state.user_tokens.insert(by_user, token.clone());
        state.token_users.insert(by_token, user);
        Ok(())
    }

    async fn clear_sso_token(&self, service: &ServiceId, user: UserId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let Some(token) = state.user_tokens.remove(&(service.clone(), user)) else {
            return Ok(false);
        };
        state.token_users.remove(&(service.clone(), token));
        Ok(true)
    }

    async fn sso_token_user(
        &self,
        service: &ServiceId,
        token: &SecretHash,
    ) -> Result<Option<UserId>, StoreError> {
        let state = self.lock();
        Ok(state
            .token_users
            .get(&(service.clone(), token.clone()))
            .copied())
    }

    async fn put_api_session(
        &self,
        sid: &SecretHash,
        session: &ApiSession,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .api_sessions
            .insert(sid.clone(), session.clone(), ttl);
        Ok(())
    }

    async fn api_session(&self, sid: &SecretHash) -> Result<Option<ApiSession>, StoreError> {
        Ok(self.lock().api_sessions.get(sid).cloned())
    }

    async fn delete_api_session(&self, sid: &SecretHash) -> Result<bool, StoreError> {
        Ok(self.lock().api_sessions.remove(sid).is_some())
    }

    async fn index_session(
        &self,
        user: UserId,
        entry: &IndexEntry,
        replaces: &[SessionId],
        limit: u32,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let now = unix_now();
        let mut state = self.lock();
        let mut index = state.take_index(user, now);
        for old in replaces {
            index.remove(old);
        }
        let id = entry.id();
        index.insert(id.clone(), entry.clone());
        let mut evicted = Vec::new();
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if limit > 0 && index.len() > limit {
            let mut others: Vec<_> = index
                .values()
                .filter(|e| e.id() != id)
                .map(|e| (e.last_used, e.id()))
                .collect();
            others.sort();
            for (_, old) in others.into_iter().take(index.len() - limit) {
                evicted.extend(index.remove(&old));
            }
        }
        state.put_index(user, index, now);
        Ok(evicted)
    }

    async fn start_api_session(
        &self,
        user: UserId,
        entry: &IndexEntry,
        limit: u32,
        sid: &SecretHash,
        session: &ApiSession,
        ttl: Duration,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let evicted = self.index_session(user, entry, &[], limit).await?;
        self.put_api_session(sid, session, ttl).await?;
        Ok(evicted)
    }

    async fn user_sessions(&self, user: UserId) -> Result<Vec<IndexEntry>, StoreError> {
        let now = unix_now();
        let state = self.lock();
        Ok(state
            .indexes
            .get(&user)
            .map(|index| {
                index
                    .values()
                    .filter(|e| e.expires > now)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn unindex_sessions(
        &self,
        user: UserId,
        ids: &[SessionId],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let now = unix_now();
        let mut state = self.lock();
        let mut index = state.take_index(user, now);
        let removed = ids.iter().filter_map(|id| index.remove(id)).collect();
        state.put_index(user, index, now);
        Ok(removed)
    }

    async fn touch_session(
        &self,
        user: UserId,
        id: &SessionId,
        target: &SessionTarget,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let SessionTarget::Browser { sid, segment } = target
            && let Some(entry) = state.sessions.get_mut(sid)
            && let Some(seg) = entry.value.segments.get_mut(segment)
        {
            seg.last_used = now;
        }
        if let Some(index) = state.indexes.get_mut(&user)
            && let Some(entry) = index.value.get_mut(id)
        {
            entry.last_used = now;
        }
        Ok(())
    }

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

    async fn hit(&self, key: &str, window: Duration) -> Result<u64, StoreError> {
        let mut state = self.lock();
        if let Some(entry) = state.counters.get_mut(&key.to_owned()) {
            entry.value += 1;
            return Ok(entry.value);
        }
        state.counters.insert(key.to_owned(), 1, window);
        Ok(1)
    }

    async fn hits(&self, key: &str) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .counters
            .get(&key.to_owned())
            .copied()
            .unwrap_or(0))
    }

    async fn clear_hits(&self, key: &str) -> Result<(), StoreError> {
        self.lock().counters.remove(&key.to_owned());
        Ok(())
    }
}
