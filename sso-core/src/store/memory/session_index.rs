//! Each person's sessions, browser and API: their index, and the API sessions' records.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl SessionIndexStore for MemoryStore {
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
            && let Some(entry) = state.sessions.get_mut(&sessions::key(sid))
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
}
