//! Browser sessions whose sid names their people (`SessionCookie`): each
//! person's sign-ins in that browser are kept in the person's own hash,
//! beside their index (fields in `person_records.rs`, scripts in
//! `person_scripts.rs`). One call per person named, all sent at once; a
//! browser holds one person nearly always.

use std::collections::HashMap;
use std::time::Duration;

use futures::future::try_join_all;

use super::person_records::{decode_sign_ins, sign_in_args};
use super::{RedisStore, StoreError, field_pairs, key_index, millis, reply_items, timed};
use crate::clock::unix_now;
use crate::domain::{BrowserSession, ClientId, SecretHash, Segment, SegmentSession, UserId};
use crate::store::Removal;

impl RedisStore {
    /// The sign-ins of the browser `sid` names, in its people's hashes.
    pub(super) async fn person_session(
        &self,
        sid: &SecretHash,
    ) -> Result<BrowserSession, StoreError> {
        let people = sid.people();
        let mut conn = self.conn().await?;
        // One person (nearly every browser): one read, no join.
        if let [person] = people[..] {
            let read = redis::cmd("HGETALL").arg(key_index(person)).clone();
            let reply: redis::Value = timed(read.query_async(&mut conn)).await?;
            let items = reply_items(reply)?;
            return decode_sign_ins(&field_pairs(&items)?, sid.browser_hash(), person);
        }
        let replies = try_join_all(people.iter().map(|person| {
            let mut conn = conn.clone();
            let read = redis::cmd("HGETALL").arg(key_index(*person)).clone();
            async move { timed(read.query_async::<redis::Value>(&mut conn)).await }
        }))
        .await?;
        let mut session = BrowserSession::default();
        for (person, reply) in people.into_iter().zip(replies) {
            let items = reply_items(reply)?;
            let found = decode_sign_ins(&field_pairs(&items)?, sid.browser_hash(), person)?;
            session.segments.extend(found.segments);
        }
        Ok(session)
    }

    /// Writes the browser's sign-ins, each in its person's hash, replacing
    /// the browser's others there; the people `sid` names who hold none of
    /// them lose theirs. Each key is kept at least as long as its person's
    /// latest sign-in here.
    pub(super) async fn person_save(
        &self,
        sid: &SecretHash,
        session: &BrowserSession,
    ) -> Result<(), StoreError> {
        let browser = sid.browser_hash();
        let mut by_person: HashMap<UserId, Vec<(&Segment, &SegmentSession)>> = sid
            .people()
            .into_iter()
            .map(|person| (person, Vec::new()))
            .collect();
        for (segment, s) in &session.segments {
            by_person.entry(s.user.id).or_default().push((segment, s));
        }
        let now = unix_now();
        let conn = self.conn().await?;
        try_join_all(by_person.iter().map(|(person, sign_ins)| {
            let mut conn = conn.clone();
            let key = key_index(*person);
            let latest = sign_ins.iter().map(|(_, s)| s.expires).max().unwrap_or(now);
            let keep = Duration::from_secs(u64::try_from(latest - now).unwrap_or(0));
            let mut call = self.person_save.key(&key);
            call.arg(browser)
                .arg(if latest > now { millis(keep) } else { 0 });
            for (segment, s) in sign_ins {
                call.arg(&sign_in_args(browser, segment, s)[..]);
            }
            async move {
                timed(call.invoke_async::<i64>(&mut conn)).await?;
                self.await_replicas(&mut conn, &key).await
            }
        }))
        .await?;
        Ok(())
    }

    /// Ends the browser's sign-ins in `segments` (none: all of them),
    /// records and index entries at once, in every hash `sid` names.
    pub(super) async fn person_drop(
        &self,
        sid: &SecretHash,
        segments: &[Segment],
    ) -> Result<Removal, StoreError> {
        let browser = sid.browser_hash();
        let people = sid.people();
        let conn = self.conn().await?;
        let replies = try_join_all(people.iter().map(|person| {
            let mut conn = conn.clone();
            let key = key_index(*person);
            let mut call = self.person_drop.key(&key);
            call.arg(browser);
            for segment in segments {
                call.arg(segment.as_str());
            }
            async move {
                let reply = timed(call.invoke_async::<redis::Value>(&mut conn)).await?;
                self.await_replicas(&mut conn, &key).await?;
                Ok::<_, StoreError>(reply)
            }
        }))
        .await?;
        let mut removal = Removal {
            session_gone: true,
            ..Removal::default()
        };
        for (person, reply) in people.into_iter().zip(replies) {
            let items = reply_items(reply)?;
            let (left, fields) = items
                .split_first()
                .ok_or_else(|| StoreError::Corrupt("sign-ins left".to_owned()))?;
            let left: u64 = redis::from_redis_value_ref(left)
                .map_err(|_| StoreError::Corrupt("sign-ins left".to_owned()))?;
            removal.session_gone &= left == 0;
            let removed = decode_sign_ins(&field_pairs(fields)?, browser, person)?;
            removal.removed.segments.extend(removed.segments);
        }
        Ok(removal)
    }

    /// Records `client`'s visit to the browser's sign-in in `segment`, in
    /// whichever named person's hash holds it.
    pub(super) async fn person_visit(
        &self,
        sid: &SecretHash,
        segment: &Segment,
        client: &ClientId,
        logout_index: u8,
    ) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        try_join_all(sid.people().into_iter().map(|person| {
            let mut conn = conn.clone();
            let mut call = self.person_visit.key(key_index(person));
            call.arg(sid.browser_hash())
                .arg(segment.as_str())
                .arg(client.as_str())
                .arg(logout_index);
            async move { timed(call.invoke_async::<i64>(&mut conn)).await }
        }))
        .await?;
        Ok(())
    }
}
