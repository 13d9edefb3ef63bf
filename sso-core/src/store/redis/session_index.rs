//! Each person's sessions, browser and API: their index, and the API sessions' records.

use async_trait::async_trait;

use super::*;

#[async_trait]
impl SessionIndexStore for RedisStore {
    async fn put_api_session(
        &self,
        sid: &SecretHash,
        session: &ApiSession,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_api_session(sid);
        timed(conn.pset_ex::<_, _, ()>(&key, to_json(session), millis(ttl))).await?;
        self.await_replicas(&mut conn, &key).await
    }

    async fn api_session(&self, sid: &SecretHash) -> Result<Option<ApiSession>, StoreError> {
        let mut conn = self.conn().await?;
        from_json(timed(conn.get::<_, Option<String>>(key_api_session(sid))).await?)
    }

    async fn delete_api_session(&self, sid: &SecretHash) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let key = key_api_session(sid);
        let deleted = timed(conn.del::<_, i64>(&key)).await? == 1;
        self.await_replicas(&mut conn, &key).await?;
        Ok(deleted)
    }

    async fn index_session(
        &self,
        user: UserId,
        entry: &IndexEntry,
        replaces: &[SessionId],
        limit: u32,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let mut call = self.index_add.key(key_index(user));
        index_args(&mut call, entry, limit);
        for old in replaces {
            call.arg(old.as_str());
        }
        let evicted: Vec<String> = timed(call.invoke_async(&mut conn)).await?;
        evicted.iter().map(|e| decode_taken(user, e)).collect()
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
        // The entry is written before the record: on one node in one
        // script (EVALSHA, so the script's text is not sent and hashed on
        // every call); on a cluster the two keys live in different slots
        // (the record is found by its bearer's hash alone), so they are two
        // round trips, in order.
        if self.target.is_cluster() {
            let evicted = self.index_session(user, entry, &[], limit).await?;
            self.put_api_session(sid, session, ttl).await?;
            return Ok(evicted);
        }
        let mut conn = self.conn().await?;
        let record = key_api_session(sid);
        let mut call = self.index_add_api.key(key_index(user));
        call.key(&record);
        index_args(&mut call, entry, limit);
        call.arg(to_json(session)).arg(millis(ttl));
        let evicted: Vec<String> = timed(call.invoke_async(&mut conn)).await?;
        self.await_replicas(&mut conn, &record).await?;
        evicted.iter().map(|e| decode_taken(user, e)).collect()
    }

    async fn user_sessions(&self, user: UserId) -> Result<Vec<IndexEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let fields: HashMap<String, String> = timed(conn.hgetall(key_index(user))).await?;
        let now = unix_now();
        let mut entries = Vec::new();
        for (field, text) in &fields {
            let Some(id) = field.strip_prefix("e:") else {
                continue;
            };
            let used = fields.get(&format!("u:{id}")).and_then(|u| u.parse().ok());
            let device = fields.get(&format!("d:{id}")).map_or("", String::as_str);
            let entry = decode_entry(user, id, text, used, device)?;
            if entry.expires > now {
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    async fn unindex_sessions(
        &self,
        user: UserId,
        ids: &[SessionId],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn().await?;
        let mut call = self.index_remove.key(key_index(user));
        for id in ids {
            call.arg(id.as_str());
        }
        let removed: Vec<String> = timed(call.invoke_async(&mut conn)).await?;
        removed.iter().map(|e| decode_taken(user, e)).collect()
    }

    async fn touch_session(
        &self,
        user: UserId,
        id: &SessionId,
        target: &SessionTarget,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut index = self.set_if_present.key(key_index(user));
        index.arg(format!("e:{id}")).arg(format!("u:{id}")).arg(now);
        // A sign-in kept in its person's hash has one last use, beside its
        // entry: the index's touch is the record's.
        if let SessionTarget::Browser { sid, segment } = target
            && !sid.names_people()
        {
            // Two keys in two slots: two commands, sent together.
            let mut record = self.set_if_present.key(key_session(sid));
            record
                .arg(format!("s:{segment}"))
                .arg(format!("u:{segment}"))
                .arg(now);
            let mut second = conn.clone();
            let (a, b) = tokio::join!(
                timed(index.invoke_async::<i64>(&mut conn)),
                timed(record.invoke_async::<i64>(&mut second)),
            );
            a?;
            b?;
        } else {
            timed(index.invoke_async::<i64>(&mut conn)).await?;
        }
        Ok(())
    }
}

/// The arguments of the index function both index scripts call (`scripts.rs`):
/// id, entry, now, limit, last use (empty while it is the creation: no
/// `u:` field is stored for it), device label.
fn index_args(call: &mut redis::ScriptInvocation<'_>, entry: &IndexEntry, limit: u32) {
    call.arg(entry.id().as_str())
        .arg(encode_entry(entry))
        .arg(unix_now())
        .arg(limit);
    if entry.last_used == entry.created {
        call.arg("");
    } else {
        call.arg(entry.last_used);
    }
    // A device the entry holds itself needs no `d:` field.
    match device_in_entry(entry) {
        Some(_) => call.arg(""),
        None => call.arg(&entry.device),
    };
}
