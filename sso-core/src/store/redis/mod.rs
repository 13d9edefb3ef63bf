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
//! | `sso:a:{<hash>}`       | string | authorization code grant (no longer written: codes are sealed) |
//! | `sso:q:{<hash>}`       | string | sign-in awaiting confirmation, TTL 120 s |
//! | `sso:s:{<hash>}`       | hash   | browser session of the older form (a cookie naming no people), TTL = latest segment |
//! | `sso:r:{<digest>}`     | string | rate-limit counter or a code's spend mark, TTL = window |
//! | `sso:ae:{<digest>}`    | string | uuid of the API user with that email    |
//! | `sso:n:{<digest>}`     | string | uuid of the API user with that username |
//! | `sso:k:{<svc>}:<hash>` | string | uuid the SSO token (hash) is linked to  |
//! | `sso:l:{<svc>}:<uuid>` | string | hash of the user's SSO token            |
//! | `sso:p:{<hash>}`       | string | API session (JSON), TTL = its lifetime  |
//! | `sso:x:{<uuid>}`       | hash   | the user's sessions (index) and browser sign-ins, TTL = last |
//! | `sso:f:{<family>}`     | hash   | refresh-token chain: `cur` hash, `cli`, `end`, `rec` (JSON) |
//! | `sso:v:{<hash>}` / `sso:w:{<hash>}` | string | email verification / password reset ticket (JSON), TTL = its lifetime |
//! | `sso:wa:{<hash>}`      | string | passkey ceremony in progress (JSON), TTL = 5 min |
//!
//! Both directions of an SSO token link carry the service as hash tag, so
//! one script changes them together in one slot.
//!
//! A browser sign-in whose sid names its person (the cookie names the people
//! signed in in the browser) is kept in that person's index hash: its entry
//! `e:<id>` (kind `c`) is its record's first field, beside the profile copy,
//! visits and last use (`person_records.rs`, `person_sessions.rs`). A session
//! of the older form, written before cookies named people, is a hash of its
//! own, read until it expires: per segment a field `s:<segment>` =
//! `<uuid base64url>:<created>:<expires>:<flags>:<sign-in id>` (older
//! records: the uuid in hex) and the released profile in
//! `e:<segment>` (email) and `n:<segment>` (display name), each value short
//! so that Redis keeps the hash in its compact listpack encoding (values of
//! at most 64 bytes by default). A field `v:<segment>:<client>` =
//! `<logout uri index>` per visited site makes concurrent visits independent
//! `HSET`s; `u:<segment>` = the unix time it was last used, when that is not
//! its creation.
//!
//! A user's index `sso:x:{<uuid>}` (hash) has per session `e:<id>` = the
//! entry (`kind:sid:segment:created:expires:kmli`, `entries.rs`;
//! older entries are JSON), `d:<id>` = its device label and `u:<id>` =
//! last used, once that is not the creation, so a touch is one `HSET`. It
//! expires with its last entry; expired entries are dropped by every script
//! that reads it.

mod codec;
mod codes;
mod connection;
mod counters;
mod entries;
mod keys;
mod logout_queue;
mod person_records;
mod person_scripts;
mod person_sessions;
mod refresh_tokens;
mod scripts;
mod session_index;
mod session_records;
mod sessions;
mod tickets;
mod users;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};
use uuid::Uuid;

pub use self::codec::{decode_session, encode_session};
use self::codec::{field_pairs, from_json, millis, reply_items, to_json};
use self::connection::{Conn, Target};
use self::entries::{decode_entry, decode_taken, device_in_entry, encode_entry};
pub use self::keys::key_browser_session;
use self::keys::{
    SIGNOUT_USER, key_api_email, key_api_session, key_ceremony, key_code, key_counter,
    key_deliveries, key_email, key_index, key_revoked_tokens, key_session, key_ticket, key_token,
    key_token_prefix, key_user, key_user_token, key_username,
};
pub use self::person_records::{decode_sign_ins, encode_sign_ins};
use self::scripts::{
    CLEAR, HIT, LINK, RAISE, RECORD_VISIT, REFRESH_ROTATE, REMOVE_SEGMENTS, SET_IF_PRESENT,
    SWAP_IF_EQUAL, index_add, index_add_api,
};
use super::{
    CodeStore, CounterStore, InsertUserError, LinkError, LogoutStore, Removal, SessionIndexStore,
    SessionRecord, SessionStore, Store, StoreError, UserStore,
};
use crate::clock::unix_now;
use crate::config::ReplicaAcks;
use crate::domain::SecretHash;
use crate::domain::{
    ApiSession, BrowserSession, ClientId, CodeKind, DeliveryState, Grant, IndexEntry, Segment,
    ServiceId, SessionId, SessionTarget, SignoutStates, User, UserId,
};

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
    /// `index_add` and an API session's record in one call (one node).
    index_add_api: Script,
    index_remove: Script,
    /// A browser's sign-ins in their person's hash (`person_scripts.rs`).
    person_save: Script,
    person_drop: Script,
    person_visit: Script,
    set_if_present: Script,
    raise: Script,
    refresh_rotate: Script,
    swap_if_equal: Script,
    /// Jobs of the single queue from before per-client queues were looked
    /// for (once per store).
    legacy_adopted: std::sync::atomic::AtomicBool,
    /// Replicas a sign-in's record (or a sign-out's deletion) must reach
    /// before it is answered.
    acks: Option<ReplicaAcks>,
    /// Changes of one person's record made by this process take turns
    /// (`users.rs`), one lock per stripe of people.
    user_turns: Box<[tokio::sync::Mutex<()>]>,
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
            index_add: Script::new(&index_add()),
            index_add_api: Script::new(&index_add_api()),
            index_remove: Script::new(&person_scripts::index_remove()),
            person_save: Script::new(&person_scripts::save()),
            person_drop: Script::new(&person_scripts::drop_sign_ins()),
            person_visit: Script::new(&person_scripts::visit()),
            set_if_present: Script::new(SET_IF_PRESENT),
            raise: Script::new(RAISE),
            refresh_rotate: Script::new(REFRESH_ROTATE),
            swap_if_equal: Script::new(SWAP_IF_EQUAL),
            legacy_adopted: std::sync::atomic::AtomicBool::new(false),
            acks: None,
            user_turns: (0..64).map(|_| tokio::sync::Mutex::new(())).collect(),
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
}
