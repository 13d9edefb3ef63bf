//! Reading many sessions' records at once (a person's session list): one
//! pipeline on a node; on a cluster, whose keys live in slots of their own,
//! one request per key, all at once, which the connection pipelines to
//! each node. Either way the list costs one round trip, not one per entry,
//! and a key is read once however many of the listed sign-ins it holds (a
//! person's browser sign-ins are all in their hash).

use futures::future::try_join_all;

use std::collections::{HashMap, HashSet};

use super::person_records::decode_browsers;
use super::{
    Conn, RedisStore, StoreError, decode_session, field_pairs, from_json, key_api_session,
    key_index, key_session, reply_items, timed,
};
use crate::domain::{BrowserSession, SessionTarget};
use crate::store::SessionRecord;

/// The keys one target's record is read from, each with `HGETALL` (a
/// hash) or `GET`: its own key, or for a browser sid that names people,
/// each person's hash.
fn keys(target: &SessionTarget) -> Vec<(&'static str, String)> {
    match target {
        SessionTarget::Browser { sid, .. } if sid.names_people() => sid
            .people()
            .into_iter()
            .map(|person| ("HGETALL", key_index(person)))
            .collect(),
        SessionTarget::Browser { sid, .. } => vec![("HGETALL", key_session(sid))],
        SessionTarget::Api { sid } => vec![("GET", key_api_session(sid))],
    }
}

/// A person's browser sign-ins, by browser hash, decoded once per hash.
type Decoded = HashMap<String, BrowserSession>;

/// A target's record from the replies of its keys (a person's hash as
/// decoded, by key).
fn record(
    target: &SessionTarget,
    replies: &[&redis::Value],
    decoded: &mut HashMap<String, Decoded>,
    wanted: &HashSet<&str>,
) -> Result<SessionRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("session records reply".to_owned());
    Ok(match target {
        SessionTarget::Browser { sid, .. } if sid.names_people() => {
            let mut session = BrowserSession::default();
            for (person, reply) in sid.people().into_iter().zip(replies) {
                let key = key_index(person);
                if !decoded.contains_key(&key) {
                    let items = reply_items((*reply).clone())?;
                    let browsers =
                        decode_browsers(&field_pairs(&items)?, |b| wanted.contains(b), person)?;
                    let owned = browsers
                        .into_iter()
                        .map(|(browser, s)| (browser.to_owned(), s))
                        .collect();
                    decoded.insert(key.clone(), owned);
                }
                if let Some(found) = decoded[&key].get(sid.browser_hash()) {
                    session.segments.extend(found.segments.clone());
                }
            }
            SessionRecord::Browser(session)
        }
        SessionTarget::Browser { .. } => {
            let reply = (*replies.first().ok_or_else(corrupt)?).clone();
            SessionRecord::Browser(decode_session(&field_pairs(&reply_items(reply)?)?)?)
        }
        SessionTarget::Api { .. } => {
            let json =
                redis::from_redis_value_ref::<Option<String>>(replies.first().ok_or_else(corrupt)?)
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
        // Each key once, in the order first needed.
        let per_target: Vec<Vec<(&str, String)>> = targets.iter().map(|t| keys(t)).collect();
        let mut unique: Vec<(&str, &str)> = Vec::new();
        let mut position: HashMap<&str, usize> = HashMap::new();
        for (command, key) in per_target.iter().flatten() {
            position.entry(key).or_insert_with(|| {
                unique.push((command, key));
                unique.len() - 1
            });
        }
        // The browsers listed: only their sign-ins are decoded.
        let wanted: HashSet<&str> = targets
            .iter()
            .filter_map(|t| match t {
                SessionTarget::Browser { sid, .. } => Some(sid.browser_hash()),
                SessionTarget::Api { .. } => None,
            })
            .collect();
        let reads = unique
            .iter()
            .map(|(command, key)| redis::cmd(command).arg(*key).clone());
        let conn = self.conn().await?;
        let replies: Vec<redis::Value> = match &conn {
            Conn::Node(_) => {
                let mut pipe = redis::pipe();
                for read in reads {
                    pipe.add_command(read);
                }
                let mut conn = conn.clone();
                timed(pipe.query_async(&mut conn)).await?
            }
            Conn::Cluster(..) => {
                try_join_all(reads.map(|read| {
                    let mut conn = conn.clone();
                    async move { timed(read.query_async(&mut conn)).await }
                }))
                .await?
            }
        };
        if replies.len() != unique.len() {
            return Err(StoreError::Corrupt("session records reply".to_owned()));
        }
        let reply_of = |key: &str| &replies[position[key]];
        let mut decoded = HashMap::new();
        targets
            .iter()
            .zip(&per_target)
            .map(|(target, keys)| {
                let replies: Vec<&redis::Value> = keys.iter().map(|(_, k)| reply_of(k)).collect();
                record(target, &replies, &mut decoded, &wanted)
            })
            .collect()
    }
}
