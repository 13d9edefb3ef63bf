//! One-time codes, each taken at most once.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl CodeStore for MemoryStore {
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
}
