//! Browser sessions: one record per browser (the secret's hash), segment by
//! segment. A sid that names people sees only their sign-ins, as on Redis,
//! where each person's are kept in that person's record.

use async_trait::async_trait;

use super::*;

/// The record's key: the secret's hash, whatever people the sid names.
pub(super) fn key(sid: &SecretHash) -> SecretHash {
    SecretHash::from_stored(sid.browser_hash().to_owned())
}

/// Whether `sid` sees the sign-ins of `user` (a sid naming nobody sees all).
fn sees(sid: &SecretHash, user: UserId) -> bool {
    let people = sid.people();
    people.is_empty() || people.contains(&user)
}

fn seen(sid: &SecretHash, mut session: BrowserSession) -> BrowserSession {
    session.segments.retain(|_, s| sees(sid, s.user.id));
    session
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn session(&self, sid: &SecretHash) -> Result<BrowserSession, StoreError> {
        let found = self.lock().sessions.get(&key(sid)).cloned();
        Ok(seen(sid, found.unwrap_or_default()))
    }

    async fn session_records(
        &self,
        targets: &[&SessionTarget],
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let state = self.lock();
        Ok(targets
            .iter()
            .map(|target| match target {
                SessionTarget::Browser { sid, .. } => SessionRecord::Browser(seen(
                    sid,
                    state.sessions.get(&key(sid)).cloned().unwrap_or_default(),
                )),
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
        self.lock().sessions.insert(key(sid), session.clone(), ttl);
        Ok(())
    }

    async fn delete_session(&self, sid: &SecretHash) -> Result<(), StoreError> {
        let mut state = self.lock();
        let key = key(sid);
        if let Some(entry) = state.sessions.get_mut(&key) {
            entry.value.segments.retain(|_, s| !sees(sid, s.user.id));
            if entry.value.is_empty() {
                state.sessions.remove(&key);
            }
        }
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
        if let Some(entry) = state.sessions.get_mut(&key(sid))
            && let Some(seg) = entry.value.segments.get_mut(segment)
            && sees(sid, seg.user.id)
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
        let key = key(sid);
        let Some(entry) = state.sessions.get_mut(&key) else {
            removal.session_gone = true;
            return Ok(removal);
        };
        for segment in segments {
            if entry
                .value
                .segments
                .get(segment)
                .is_some_and(|s| sees(sid, s.user.id))
                && let Some(s) = entry.value.segments.remove(segment)
            {
                removal.removed.segments.insert(segment.clone(), s);
            }
        }
        removal.session_gone = !entry.value.segments.values().any(|s| sees(sid, s.user.id));
        if entry.value.is_empty() {
            state.sessions.remove(&key);
        }
        Ok(removal)
    }
}
