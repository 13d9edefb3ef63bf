//! Rate-limit counters in fixed windows.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl CounterStore for MemoryStore {
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

    async fn mark_once(&self, key: &str, window: Duration) -> Result<bool, StoreError> {
        let mut state = self.lock();
        if state.counters.get(&key.to_owned()).is_some() {
            return Ok(false);
        }
        state.counters.insert(key.to_owned(), 1, window);
        Ok(true)
    }

    async fn clear_hits(&self, key: &str) -> Result<(), StoreError> {
        self.lock().counters.remove(&key.to_owned());
        Ok(())
    }
}
