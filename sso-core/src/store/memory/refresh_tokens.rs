//! Refresh-token chains: a record per family, rotated under the lock.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::*;
use crate::domain::{RefreshFamily, RefreshRecord, Rotation};
use crate::store::RefreshStore;

#[async_trait]
impl RefreshStore for MemoryStore {
    async fn put_refresh(
        &self,
        family: &RefreshFamily,
        record: &RefreshRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .refresh
            .insert(family.clone(), record.clone(), ttl);
        Ok(())
    }

    async fn rotate_refresh(
        &self,
        family: &RefreshFamily,
        presented: &SecretHash,
        client: &ClientId,
        next: &SecretHash,
        idle: Duration,
        now_ms: i64,
    ) -> Result<Rotation, StoreError> {
        let mut state = self.lock();
        let Some(entry) = state.refresh.get_mut(family) else {
            return Ok(Rotation::Gone);
        };
        if &entry.value.client != client {
            return Ok(Rotation::OtherClient);
        }
        let left = u64::try_from(entry.value.ends_ms - now_ms).unwrap_or(0);
        if &entry.value.current != presented || left == 0 {
            let reused = &entry.value.current != presented;
            state.refresh.remove(family);
            return Ok(if reused {
                Rotation::Reused
            } else {
                Rotation::Gone
            });
        }
        entry.value.current = next.clone();
        entry.until = Instant::now() + idle.min(Duration::from_millis(left));
        Ok(Rotation::Rotated(Box::new(entry.value.clone())))
    }

    async fn delete_refresh(&self, family: &RefreshFamily) -> Result<(), StoreError> {
        self.lock().refresh.remove(family);
        Ok(())
    }
}
