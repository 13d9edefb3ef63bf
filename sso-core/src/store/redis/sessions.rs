//! Browser sessions: a sid that names its people is kept in their hashes
//! (`person_sessions.rs`); one of the older form (a bare secret's hash) in
//! a hash of its own, segment by segment, until it expires.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl SessionStore for RedisStore {
    async fn session(&self, sid: &SecretHash) -> Result<BrowserSession, StoreError> {
        if sid.names_people() {
            return self.person_session(sid).await;
        }
        let mut conn = self.conn().await?;
        let reply = timed(
            redis::cmd("HGETALL")
                .arg(key_session(sid))
                .query_async(&mut conn),
        )
        .await?;
        decode_session(&field_pairs(&reply_items(reply)?)?)
    }

    async fn session_records(
        &self,
        targets: &[&SessionTarget],
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.read_session_records(targets).await
    }

    async fn save_session(
        &self,
        sid: &SecretHash,
        session: &BrowserSession,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        if sid.names_people() {
            return self.person_save(sid, session).await;
        }
        let mut conn = self.conn().await?;
        let key = key_session(sid);
        let fields = encode_session(session);
        let mut pipe = redis::pipe();
        pipe.atomic().del(&key).ignore();
        if !fields.is_empty() {
            pipe.hset_multiple(&key, &fields)
                .ignore()
                .pexpire(&key, i64::try_from(millis(ttl)).unwrap_or(i64::MAX))
                .ignore();
        }
        timed(pipe.query_async::<()>(&mut conn)).await?;
        if !fields.is_empty() {
            self.await_replicas(&mut conn, &key).await?;
        }
        Ok(())
    }

    async fn delete_session(&self, sid: &SecretHash) -> Result<(), StoreError> {
        if sid.names_people() {
            return self.person_drop(sid, &[]).await.map(drop);
        }
        let mut conn = self.conn().await?;
        let key = key_session(sid);
        timed(conn.del::<_, ()>(&key)).await?;
        self.await_replicas(&mut conn, &key).await
    }

    async fn record_visit(
        &self,
        sid: &SecretHash,
        segment: &Segment,
        client: &ClientId,
        logout_index: u8,
    ) -> Result<(), StoreError> {
        if sid.names_people() {
            return self.person_visit(sid, segment, client, logout_index).await;
        }
        let mut conn = self.conn().await?;
        let mut call = self.record_visit.key(key_session(sid));
        call.arg(format!("s:{segment}"))
            .arg(format!("v:{segment}:{client}"))
            .arg(logout_index);
        timed(call.invoke_async::<i64>(&mut conn)).await?;
        Ok(())
    }

    async fn remove_segments(
        &self,
        sid: &SecretHash,
        segments: &[Segment],
    ) -> Result<Removal, StoreError> {
        if sid.names_people() {
            if segments.is_empty() {
                // Nothing to remove; whether anything is left.
                let left = self.person_session(sid).await?;
                return Ok(Removal {
                    session_gone: left.is_empty(),
                    ..Removal::default()
                });
            }
            return self.person_drop(sid, segments).await;
        }
        let mut conn = self.conn().await?;
        let key = key_session(sid);
        let mut call = self.remove_segments.key(&key);
        for s in segments {
            call.arg(s.as_str());
        }
        let items = reply_items(timed(call.invoke_async(&mut conn)).await?)?;
        self.await_replicas(&mut conn, &key).await?;
        let (left, fields) = items
            .split_first()
            .ok_or_else(|| StoreError::Corrupt("field count".to_owned()))?;
        let left: u64 = redis::from_redis_value_ref(left)
            .map_err(|_| StoreError::Corrupt("field count".to_owned()))?;
        Ok(Removal {
            removed: decode_session(&field_pairs(fields)?)?,
            session_gone: left == 0,
        })
    }
}
