//! One-time codes, each taken at most once.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl CodeStore for RedisStore {
    async fn put_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
        grant: &Grant,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.pset_ex::<_, _, ()>(key_code(kind, code), to_json(grant), millis(ttl))).await
    }

    async fn take_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
    ) -> Result<Option<Grant>, StoreError> {
        let mut conn = self.conn().await?;
        let raw: Option<String> = timed(conn.get_del(key_code(kind, code))).await?;
        // A code an older build stored in another shape is gone now (taken)
        // and is refused like any unknown code, not reported as an outage.
        Ok(from_json(raw).unwrap_or_else(|e| {
            tracing::warn!(error = %e, kind = kind.label(), "stored code unreadable; refused");
            None
        }))
    }
}
