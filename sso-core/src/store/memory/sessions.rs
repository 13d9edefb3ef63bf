//! Browser sessions: one record per SSO cookie, segment by segment.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl SessionStore for MemoryStore {
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
}
