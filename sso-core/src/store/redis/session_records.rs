//! Reading many sessions' records at once (a person's session list): one
//! pipeline on a node; on a cluster, whose keys live in slots of their own,
//! one request per key, all at once, which the connection pipelines to
//! each node. Either way the list costs one round trip, not one per entry.

use futures::future::try_join_all;

use super::{
    Conn, RedisStore, StoreError, decode_session, field_pairs, from_json, key_api_session,
    key_session, reply_items, timed,
};
use crate::domain::SessionTarget;
use crate::store::SessionRecord;

fn read(target: &SessionTarget) -> redis::Cmd {
    match target {
        SessionTarget::Browser { sid, .. } => redis::cmd("HGETALL").arg(key_session(sid)).clone(),
        SessionTarget::Api { sid } => redis::cmd("GET").arg(key_api_session(sid)).clone(),
    }
}

fn record(target: &SessionTarget, reply: redis::Value) -> Result<SessionRecord, StoreError> {
    Ok(match target {
        SessionTarget::Browser { .. } => {
            SessionRecord::Browser(decode_session(&field_pairs(&reply_items(reply)?)?)?)
        }
        SessionTarget::Api { .. } => {
            let json = redis::from_redis_value::<Option<String>>(reply)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            SessionRecord::Api(from_json(json)?)
        }
    })
}

impl RedisStore {
    pub(super) async fn read_session_records(
        &self,
        targets: &[&SessionTarget],
    ) -> Result<Vec<SessionRecord>, StoreError> {
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.conn().await?;
        let replies: Vec<redis::Value> = match &conn {
            Conn::Node(_) => {
                let mut pipe = redis::pipe();
                for target in targets {
                    pipe.add_command(read(target));
                }
                let mut conn = conn.clone();
                timed(pipe.query_async(&mut conn)).await?
            }
            Conn::Cluster(..) => {
                try_join_all(targets.iter().map(|target| {
                    let mut conn = conn.clone();
                    async move { timed(read(target).query_async(&mut conn)).await }
                }))
                .await?
            }
        };
        targets
            .iter()
            .zip(replies)
            .map(|(target, reply)| record(target, reply))
            .collect()
    }
}
