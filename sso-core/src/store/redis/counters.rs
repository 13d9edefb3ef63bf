//! Rate-limit counters in fixed windows.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl CounterStore for RedisStore {
    async fn hit(&self, key: &str, window: Duration) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let mut call = self.hit.key(key_counter(key));
        call.arg(millis(window));
        timed(call.invoke_async(&mut conn)).await
    }

    async fn hits(&self, key: &str) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        Ok(timed(conn.get::<_, Option<u64>>(key_counter(key)))
            .await?
            .unwrap_or(0))
    }

    async fn mark_once(&self, key: &str, window: Duration) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let set: Option<String> = timed(
            redis::cmd("SET")
                .arg(key_counter(key))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(millis(window))
                .query_async(&mut conn),
        )
        .await?;
        Ok(set.is_some())
    }

    async fn clear_hits(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.del::<_, ()>(key_counter(key))).await
    }
}
