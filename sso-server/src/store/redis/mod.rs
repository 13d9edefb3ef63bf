//! The Redis store.
//!
//! Key layout (every key hash-tagged, so each lives in one cluster slot and
//! every multi-field operation is a single-key command or script; every
//! script declares every key it touches). Text from requests (emails,
//! usernames, rate-limit keys) appears only as `<digest>`, the first 128
//! bits of its SHA-256 in base64url, so no input chooses a slot:
//!
//! | key                    | type   | holds                                   |
//! |------------------------|--------|-----------------------------------------|
//! | `sso:u:{<uuid>}`       | string | user profile (JSON)                     |
//! | `sso:t:{<uuid>}`       | string | unix ms up to which the user's access tokens are refused |
//! | `sso:e:{<digest>}`     | string | uuid of the user with that email (NX)   |
//! | `sso:c:{<hash>}`       | string | sso_code grant (JSON), TTL ≤ 60 s       |
//! | `sso:a:{<hash>}`       | string | authorization code grant, TTL ≤ 60 s    |
//! | `sso:q:{<hash>}`       | string | sign-in awaiting confirmation, TTL 120 s |
//! | `sso:s:{<hash>}`       | hash   | browser session, TTL = latest segment   |
//! | `sso:r:{<digest>}`     | string | rate-limit counter, TTL = window        |
//! | `sso:ae:{<digest>}`    | string | uuid of the API user with that email    |
//! | `sso:n:{<digest>}`     | string | uuid of the API user with that username |
//! | `sso:k:{<svc>}:<hash>` | string | uuid the SSO token (hash) is linked to  |
//! | `sso:l:{<svc>}:<uuid>` | string | hash of the user's SSO token            |
//! | `sso:p:{<hash>}`       | string | API session (JSON), TTL = its lifetime  |
//! | `sso:x:{<uuid>}`       | hash   | the user's sessions (index), TTL = last |
//!
//! Both directions of an SSO token link carry the service as hash tag, so
//! one script changes them together in one slot.
//!
//! A session hash has, per segment, a field `s:<segment>` =
//! `<uuid hex>:<created>:<expires>:<kmli 0|1>:<sign-in id>` and the released profile in
//! `e:<segment>` (email) and `n:<segment>` (display name), each value short
//! so that Redis keeps the hash in its compact listpack encoding (values of
//! at most 64 bytes by default). A field `v:<segment>:<client>` =
//! `<logout uri index>` per visited site makes concurrent visits independent
//! `HSET`s; `u:<segment>` = the unix time it was last used, when that is not
//! its creation.
//!
//! A user's index `sso:x:{<uuid>}` (hash) has per session `e:<id>` = the
//! entry (compact JSON: what it points to, created, expires, device) and
//! `u:<id>` = last used, so a touch is one `HSET`. It expires with its
//! last entry; expired entries are dropped by every script that reads it.

mod codec;
mod connection;
mod keys;
mod logout_queue;
mod scripts;
mod session_records;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use uuid::Uuid;

pub(crate) use self::codec::{decode_session, encode_session};
use self::codec::{field_pairs, from_json, millis, parse_entry, reply_items, to_json};
use self::connection::{Conn, Target};
pub use self::keys::key_session;
use self::keys::{
    SIGNOUT_USER, key_api_email, key_api_session, key_code, key_counter, key_deliveries, key_email,
    key_index, key_revoked_tokens, key_token, key_token_prefix, key_user, key_user_token,
    key_username,
};
use self::scripts::{
    CLEAR, HIT, INDEX_ADD, INDEX_REMOVE, LINK, RAISE, RECORD_VISIT, REMOVE_SEGMENTS, SET_IF_PRESENT,
};
use super::{InsertUserError, LinkError, Removal, SessionRecord, Store, StoreError};
use crate::clock::unix_now;
use crate::config::ReplicaAcks;
use crate::domain::{
    ApiSession, BrowserSession, ClaimedLogouts, ClientId, CodeKind, DeliveryState, Grant,
    IndexEntry, LogoutJob, LogoutLease, Segment, ServiceId, SessionId, SessionTarget,
    SignoutStates, User, UserId,
};
use crate::secrets::SecretHash;

/// Every store call answers within this bound, so an outage turns into a fast 503.
const OP_TIMEOUT: Duration = Duration::from_millis(800);

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(0);

pub struct RedisStore {
    target: Target,
    /// Tells this store's connections apart in the per-thread cache.
    id: u64,
    record_visit: Script,
    remove_segments: Script,
    hit: Script,
    link: Script,
    clear: Script,
    index_add: Script,
    index_remove: Script,
    set_if_present: Script,
    raise: Script,
    /// Jobs of the single queue from before per-client queues were looked
    /// for (once per store).
    legacy_adopted: std::sync::atomic::AtomicBool,
    /// Replicas a sign-in's record (or a sign-out's deletion) must reach
    /// before it is answered.
    acks: Option<ReplicaAcks>,
}

impl RedisStore {
    /// One Redis node at `url`. Validates the URL and tries to connect; an
    /// unreachable server is not an error here (the first request that
    /// needs it connects again).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::with_target(Target::node(url)?).await
    }

    /// A Redis Cluster, found through the seed `nodes` (a URL each).
    pub async fn open_cluster(nodes: &[String]) -> Result<Self, StoreError> {
        Self::with_target(Target::cluster(nodes)?).await
    }

    async fn with_target(target: Target) -> Result<Self, StoreError> {
        let store = Self {
            target,
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            record_visit: Script::new(RECORD_VISIT),
            remove_segments: Script::new(REMOVE_SEGMENTS),
            hit: Script::new(HIT),
            link: Script::new(LINK),
            clear: Script::new(CLEAR),
            index_add: Script::new(INDEX_ADD),
            index_remove: Script::new(INDEX_REMOVE),
            set_if_present: Script::new(SET_IF_PRESENT),
            raise: Script::new(RAISE),
            legacy_adopted: std::sync::atomic::AtomicBool::new(false),
            acks: None,
        };
        if let Err(err) = store.conn().await {
            tracing::warn!(error = %err, "redis is not reachable yet; serving 503 until it is");
        }
        Ok(store)
    }

    /// Sign-ins and sign-outs wait for `acks` replicas (see [`ReplicaAcks`]).
    pub fn with_acks(mut self, acks: Option<ReplicaAcks>) -> Self {
        self.acks = acks;
        self
    }

    /// After a sign-in's record was written to `key` on `conn`, or a
    /// sign-out deleted it: waits for the configured replicas (a sign-out
    /// lost in a failover would bring the session back). Too few within the
    /// wait is counted and logged, not refused: a replica outage must not
    /// stop sign-ins or sign-outs.
    async fn await_replicas(&self, conn: &mut Conn, key: &str) -> Result<(), StoreError> {
        let Some(acks) = self.acks else {
            return Ok(());
        };
        let reached = timed(conn.wait_for_replicas(key, acks.replicas, acks.wait)).await?;
        if reached < acks.replicas {
            crate::metrics::global().store_unreplicated.inc();
            tracing::warn!(
                reached,
                wanted = acks.replicas,
                "a sign-in or sign-out was answered before enough replicas had it"
            );
        }
        Ok(())
    }

    /// This thread's connection (see [`connection::for_this_thread`]).
    async fn conn(&self) -> Result<Conn, StoreError> {
        connection::for_this_thread(self.id, &self.target).await
    }
}

fn backend(err: redis::RedisError) -> StoreError {
    StoreError::Backend(err.to_string())
}

async fn timed<T>(fut: impl Future<Output = redis::RedisResult<T>>) -> Result<T, StoreError> {
    match tokio::time::timeout(OP_TIMEOUT, fut).await {
        Ok(result) => result.map_err(backend),
        Err(_) => Err(StoreError::Timeout(OP_TIMEOUT)),
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(redis::cmd("PING").query_async::<String>(&mut conn)).await?;
        Ok(())
    }

    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError> {
        let mut conn = self.conn().await?;
        let id = user.id.0.simple().to_string();
        // Each unique name is claimed with SET NX; a later failure releases
        // the claims made so far, so no name is lost to a failed insert.
        let mut claims = Vec::new();
        let names = [
            Some(&user.email_normalized)
                .filter(|e| !e.is_empty())
                .map(|e| match user.api_user {
                    true => (key_api_email(e), InsertUserError::EmailTaken),
                    false => (key_email(e), InsertUserError::EmailTaken),
                }),
            user.username
                .as_ref()
                .map(|n| (key_username(n), InsertUserError::UsernameTaken)),
        ];
        let mut outcome = Ok(());
        for (key, taken) in names.into_iter().flatten() {
            let claim = redis::cmd("SET").arg(&key).arg(&id).arg("NX").clone();
            match timed(claim.query_async::<Option<String>>(&mut conn)).await {
                Ok(Some(_)) => claims.push(key),
                Ok(None) => {
                    outcome = Err(taken);
                    break;
                }
                Err(err) => {
                    outcome = Err(err.into());
                    break;
                }
            }
        }
        if outcome.is_ok() {
            outcome = timed(conn.set::<_, _, ()>(key_user(user.id), to_json(user)))
                .await
                .map_err(Into::into);
        }
        if outcome.is_err() && !claims.is_empty() {
            let _ = timed(conn.del::<_, ()>(&claims)).await;
        }
        outcome
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        from_json(timed(conn.get::<_, Option<String>>(key_user(id))).await?)
    }

    async fn user_for_token(&self, id: UserId) -> Result<(Option<User>, i64), StoreError> {
        let mut conn = self.conn().await?;
        let (user, revoked): (Option<String>, Option<i64>) = timed(
            redis::cmd("MGET")
                .arg(key_user(id))
                .arg(key_revoked_tokens(id))
                .query_async(&mut conn),
        )
        .await?;
        Ok((from_json(user)?, revoked.unwrap_or(0)))
    }

    async fn revoke_tokens(
        &self,
        user: UserId,
        until_ms: i64,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut raise = self.raise.key(key_revoked_tokens(user));
        raise.arg(until_ms).arg(millis(keep));
        timed(raise.invoke_async::<()>(&mut conn)).await
    }

    async fn user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn().await?;
        let id: Option<String> = timed(conn.get(key_email(normalized_email))).await?;
        let Some(id) = id else { return Ok(None) };
        let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.user(UserId(id)).await
    }

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

    async fn session(&self, sid: &SecretHash) -> Result<BrowserSession, StoreError> {
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

    async fn link_sso_token(
        &self,
        service: &ServiceId,
        token: &SecretHash,
        user: UserId,
    ) -> Result<(), LinkError> {
        let mut conn = self.conn().await?;
        let mut call = self.link.key(key_token(service, token));
        call.key(key_user_token(service, user))
            .arg(user.0.simple().to_string())
            .arg(token.as_str());
        match timed(call.invoke_async::<String>(&mut conn))
            .await?
            .as_str()
        {
            "ok" => Ok(()),
            "user_has_token" => Err(LinkError::UserHasToken),
            "token_linked" => Err(LinkError::TokenLinkedElsewhere),
            other => Err(StoreError::Corrupt(format!("link script answered {other}")).into()),
        }
    }

    async fn clear_sso_token(&self, service: &ServiceId, user: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let user_key = key_user_token(service, user);
        // A link changed between the read and the script is read again; a
        // few rounds are plenty, since each round needs a concurrent change.
        for _ in 0..8 {
            let Some(linked) = timed(conn.get::<_, Option<String>>(&user_key)).await? else {
                return Ok(false);
            };
            let mut call = self.clear.key(&user_key);
            call.key(format!("{}{linked}", key_token_prefix(service)))
                .arg(&linked);
            match timed(call.invoke_async::<i64>(&mut conn)).await? {
                1 => return Ok(true),
                0 => return Ok(false),
                _ => continue,
            }
        }
        Err(StoreError::Backend(
            "the SSO token link kept changing during clear".to_owned(),
        ))
    }

    async fn sso_token_user(
        &self,
        service: &ServiceId,
        token: &SecretHash,
    ) -> Result<Option<UserId>, StoreError> {
        let mut conn = self.conn().await?;
        let id: Option<String> = timed(conn.get(key_token(service, token))).await?;
        id.map(|id| {
            Uuid::parse_str(&id)
                .map(UserId)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

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
        call.arg(entry.id().as_str())
            .arg(to_json(entry))
            .arg(unix_now())
            .arg(limit);
        for old in replaces {
            call.arg(old.as_str());
        }
        let evicted: Vec<String> = timed(call.invoke_async(&mut conn)).await?;
        evicted.into_iter().map(parse_entry).collect()
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
        // The entry is written before the record. On one node, one
        // connection runs a pipeline's commands in order: one round trip.
        // EVAL, not EVALSHA: a script missing from the cache after a Redis
        // restart cannot fail the first command while the second runs. On a
        // cluster the two keys live in different slots (the record is found
        // by its bearer's hash alone), so they are two round trips, in order.
        if self.target.is_cluster() {
            let evicted = self.index_session(user, entry, &[], limit).await?;
            self.put_api_session(sid, session, ttl).await?;
            return Ok(evicted);
        }
        let mut conn = self.conn().await?;
        let mut pipe = redis::pipe();
        pipe.cmd("EVAL")
            .arg(INDEX_ADD)
            .arg(1)
            .arg(key_index(user))
            .arg(entry.id().as_str())
            .arg(to_json(entry))
            .arg(unix_now())
            .arg(limit)
            .pset_ex(key_api_session(sid), to_json(session), millis(ttl))
            .ignore();
        let (evicted,): (Vec<String>,) = timed(pipe.query_async(&mut conn)).await?;
        self.await_replicas(&mut conn, &key_api_session(sid))
            .await?;
        evicted.into_iter().map(parse_entry).collect()
    }

    async fn user_sessions(&self, user: UserId) -> Result<Vec<IndexEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let fields: HashMap<String, String> = timed(conn.hgetall(key_index(user))).await?;
        let now = unix_now();
        let mut entries = Vec::new();
        for (field, json) in &fields {
            let Some(id) = field.strip_prefix("e:") else {
                continue;
            };
            let mut entry = parse_entry(json.clone())?;
            if let Some(used) = fields.get(&format!("u:{id}")).and_then(|u| u.parse().ok()) {
                entry.last_used = used;
            }
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
        removed.into_iter().map(parse_entry).collect()
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
        if let SessionTarget::Browser { sid, segment } = target {
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

    async fn enqueue_logouts(
        &self,
        jobs: &[LogoutJob],
        cap: usize,
    ) -> Result<Vec<LogoutJob>, StoreError> {
        let mut by_client: BTreeMap<&ClientId, Vec<&LogoutJob>> = BTreeMap::new();
        for job in jobs {
            by_client.entry(&job.client).or_default().push(job);
        }
        let mut conn = self.conn().await?;
        let mut evicted = Vec::new();
        for (client, jobs) in by_client {
            evicted.extend(
                self.enqueue_client_logouts(&mut conn, client, &jobs, cap)
                    .await?,
            );
        }
        Ok(evicted)
    }

    async fn claim_logouts(
        &self,
        client: &ClientId,
        max: usize,
        lease: Duration,
    ) -> Result<ClaimedLogouts, StoreError> {
        let mut conn = self.conn().await?;
        if !self.legacy_adopted.load(Ordering::Relaxed) {
            self.adopt_legacy_logouts(&mut conn).await?;
            self.legacy_adopted.store(true, Ordering::Relaxed);
        }
        self.claim_client_logouts(&mut conn, client, max, lease)
            .await
    }

    async fn finish_logout(
        &self,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        self.finish_client_logout(&mut conn, lease, retry).await
    }

    async fn start_signout(
        &self,
        signout: &str,
        users: &[UserId],
        clients: &[ClientId],
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_deliveries(signout);
        let mut fields: Vec<(String, &str)> = users
            .iter()
            .map(|u| (format!("{SIGNOUT_USER}{}", u.0.simple()), ""))
            .collect();
        fields.extend(
            clients
                .iter()
                .map(|c| (c.as_str().to_owned(), DeliveryState::Pending.as_str())),
        );
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(&key, &fields)
            .ignore()
            .pexpire(&key, i64::try_from(millis(keep)).unwrap_or(i64::MAX))
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
    }

    async fn set_delivery_state(
        &self,
        signout: &str,
        client: &ClientId,
        state: DeliveryState,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_deliveries(signout);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset(&key, client.as_str(), state.as_str())
            .ignore()
            .pexpire(&key, i64::try_from(millis(keep)).unwrap_or(i64::MAX))
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
    }

    async fn delivery_states(&self, signout: &str) -> Result<SignoutStates, StoreError> {
        let mut conn = self.conn().await?;
        let all: HashMap<String, String> = timed(conn.hgetall(key_deliveries(signout))).await?;
        let mut states = SignoutStates::default();
        for (field, value) in all {
            if let Some(user) = field.strip_prefix(SIGNOUT_USER) {
                let id = Uuid::parse_str(user)
                    .map_err(|_| StoreError::Corrupt(format!("sign-out user {user}")))?;
                states.users.push(UserId(id));
                continue;
            }
            let client = ClientId::parse(&field)
                .map_err(|_| StoreError::Corrupt(format!("delivery client {field}")))?;
            let state = DeliveryState::parse(&value)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {value}")))?;
            states.deliveries.push((client, state));
        }
        Ok(states)
    }

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

    async fn clear_hits(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.del::<_, ()>(key_counter(key))).await
    }
}
