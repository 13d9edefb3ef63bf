//! Refresh-token chains: a hash per family (`sso:f:{<family>}`), rotated by
//! one script.

use async_trait::async_trait;

use super::*;
use crate::domain::{RefreshFamily, RefreshRecord, Rotation};
use crate::store::RefreshStore;

fn key_refresh(family: &RefreshFamily) -> String {
    format!("sso:f:{{{}}}", family.as_str())
}

#[async_trait]
impl RefreshStore for RedisStore {
    async fn put_refresh(
        &self,
        family: &RefreshFamily,
        record: &RefreshRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_refresh(family);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(
                &key,
                &[
                    ("cur", record.current.as_str().to_owned()),
                    ("cli", record.client.as_str().to_owned()),
                    ("end", record.ends_ms.to_string()),
                    ("rec", to_json(record)),
                ],
            )
            .ignore()
            .pexpire(&key, i64::try_from(millis(ttl)).unwrap_or(i64::MAX))
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
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
        let mut conn = self.conn().await?;
        let mut call = self.refresh_rotate.key(key_refresh(family));
        call.arg(presented.as_str())
            .arg(client.as_str())
            .arg(next.as_str())
            .arg(millis(idle))
            .arg(now_ms);
        let items = reply_items(timed(call.invoke_async(&mut conn)).await?)?;
        let corrupt = || StoreError::Corrupt("refresh rotation reply".to_owned());
        let status: i64 = items
            .first()
            .and_then(|v| redis::from_redis_value_ref(v).ok())
            .ok_or_else(corrupt)?;
        Ok(match status {
            0 => Rotation::Gone,
            1 => Rotation::Reused,
            3 => Rotation::OtherClient,
            2 => {
                let json: String = items
                    .get(1)
                    .and_then(|v| redis::from_redis_value_ref(v).ok())
                    .ok_or_else(corrupt)?;
                let mut record: RefreshRecord = from_json(Some(json))?.ok_or_else(corrupt)?;
                record.current = next.clone();
                Rotation::Rotated(Box::new(record))
            }
            _ => return Err(corrupt()),
        })
    }

    async fn delete_refresh(&self, family: &RefreshFamily) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.del::<_, ()>(key_refresh(family))).await
    }
}
