//! Where all state lives. One trait, [`Store`], in parts by what they hold
//! ([`UserStore`], [`CodeStore`], [`SessionStore`], [`SessionIndexStore`],
//! [`LogoutStore`], [`CounterStore`], [`RefreshStore`]), and two
//! implementations, a file per
//! part: Redis for real deployments and an in-process store for demos and
//! single instances. Both pass the same behavioural suite (`tests/store`).

mod memory;
pub(crate) mod redis;
mod refresh_tokens;
mod tickets;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::config::{ReplicaAcks, StoreSettings};
use crate::domain::SecretHash;
use crate::domain::{
    ApiSession, BrowserSession, ClaimedLogouts, ClientId, CodeKind, DeliveryState, Grant,
    IndexEntry, LogoutJob, LogoutLease, Segment, ServiceId, SessionId, SessionTarget,
    SignoutStates, User, UserId,
};

pub use self::memory::MemoryStore;
pub use self::redis::{RedisStore, key_browser_session as redis_session_key};
/// How a browser session is written to Redis, for the fuzz targets.
pub use self::redis::{decode_session, decode_sign_ins, encode_session, encode_sign_ins};
pub use self::refresh_tokens::RefreshStore;
pub use self::tickets::{TicketStore, UserChange};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store did not answer within {0:?}")]
    Timeout(Duration),
    #[error("store error: {0}")]
    Backend(String),
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("email address already in use")]
    EmailTaken,
    #[error("username already in use")]
    UsernameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the user already has an SSO token for this service")]
    UserHasToken,
    #[error("the SSO token is linked to another user")]
    TokenLinkedElsewhere,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type DynStore = Arc<dyn Store>;

/// What [`SessionStore::session_records`] found behind one session target.
#[derive(Debug)]
pub enum SessionRecord {
    Browser(BrowserSession),
    Api(Option<ApiSession>),
}

/// What [`SessionStore::remove_segments`] took out, and whether the browser
/// session is gone as a result (then its cookie can be cleared without
/// another read).
#[derive(Debug, Default)]
pub struct Removal {
    pub removed: BrowserSession,
    pub session_gone: bool,
}

/// Everything the server keeps. A `dyn Store` answers every part's methods
/// without importing the parts; a concrete store needs the part in scope.
#[async_trait]
pub trait Store:
    UserStore
    + CodeStore
    + SessionStore
    + SessionIndexStore
    + LogoutStore
    + CounterStore
    + RefreshStore
    + TicketStore
    + Send
    + Sync
    + 'static
{
    /// Cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// People: users, their emails and usernames, the revocation of their access
/// tokens, and the SSO tokens linked to them.
#[async_trait]
pub trait UserStore {
    /// Inserts a new user; the normalized email and the username (when the
    /// user has them) must not be taken.
    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError>;

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    async fn user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError>;
    /// Applies `change` to the user; the user as changed, or `None` if there
    /// is no such user.
    async fn update_user(&self, id: UserId, change: UserChange)
    -> Result<Option<User>, StoreError>;

    /// The user, and the unix millisecond up to which their access tokens
    /// are refused (0: none are), in one round trip: what every use of an
    /// access token reads.
    async fn user_for_token(&self, id: UserId) -> Result<(Option<User>, i64), StoreError>;

    /// Refuses every access token of `user` issued up to `until_ms` (the
    /// mark only rises), kept for `keep`: the longest a token lives.
    async fn revoke_tokens(
        &self,
        user: UserId,
        until_ms: i64,
        keep: Duration,
    ) -> Result<(), StoreError>;

    /// Links an SSO token of `service` and a user, both ways in one atomic
    /// step: a user has at most one token per service, a token at most one
    /// user. Linking the same pair again succeeds.
    async fn link_sso_token(
        &self,
        service: &ServiceId,
        token: &SecretHash,
        user: UserId,
    ) -> Result<(), LinkError>;

    /// Removes the user's token of `service`, both ways; `false` if none.
    async fn clear_sso_token(&self, service: &ServiceId, user: UserId) -> Result<bool, StoreError>;

    /// The user an SSO token is linked to.
    async fn sso_token_user(
        &self,
        service: &ServiceId,
        token: &SecretHash,
    ) -> Result<Option<UserId>, StoreError>;
}

/// One-time codes, each taken at most once.
#[async_trait]
pub trait CodeStore {
    /// Stores a one-time code for at most `ttl`.
    async fn put_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
        grant: &Grant,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// Removes and returns a code in one atomic step: of two concurrent takes,
    /// exactly one gets the grant.
    async fn take_code(
        &self,
        kind: CodeKind,
        code: &SecretHash,
    ) -> Result<Option<Grant>, StoreError>;
}

/// Browser sessions: one record per SSO cookie, segment by segment.
#[async_trait]
pub trait SessionStore {
    /// The browser session stored under a cookie hash (empty if none). Expired
    /// segments may still be present; callers filter with `without_expired`.
    async fn session(&self, sid: &SecretHash) -> Result<BrowserSession, StoreError>;

    /// The records behind `targets`, in their order, in one round trip (a
    /// person's session list): a browser session (expired segments may be
    /// present; empty if gone), or an API session (`None` if gone).
    async fn session_records(
        &self,
        targets: &[&SessionTarget],
    ) -> Result<Vec<SessionRecord>, StoreError>;

    /// Replaces the whole session, kept until `ttl` elapses.
    async fn save_session(
        &self,
        sid: &SecretHash,
        session: &BrowserSession,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    async fn delete_session(&self, sid: &SecretHash) -> Result<(), StoreError>;

    /// Records that `client` used the session of `segment`, if that segment
    /// session still exists. Concurrent visits of different sites all land.
    async fn record_visit(
        &self,
        sid: &SecretHash,
        segment: &Segment,
        client: &ClientId,
        logout_index: u8,
    ) -> Result<(), StoreError>;

    /// Removes the given segments atomically and returns what was removed;
    /// the session disappears when nothing is left.
    async fn remove_segments(
        &self,
        sid: &SecretHash,
        segments: &[Segment],
    ) -> Result<Removal, StoreError>;
}

/// Each person's sessions, browser and API: their index, and the API
/// sessions' records.
#[async_trait]
pub trait SessionIndexStore {
    /// Stores an API session under the hash of its bearer secret.
    async fn put_api_session(
        &self,
        sid: &SecretHash,
        session: &ApiSession,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    async fn api_session(&self, sid: &SecretHash) -> Result<Option<ApiSession>, StoreError>;

    /// `false` if there was no such session.
    async fn delete_api_session(&self, sid: &SecretHash) -> Result<bool, StoreError>;

    /// Adds `entry` to its user's index (replacing an entry with its id, and
    /// taking out the entries `replaces` names first: a sign-in that moves a
    /// session to a new cookie value), kept until the index's last entry
    /// expires. With `limit > 0`, the least
    /// recently used other entries beyond `limit` are taken out in the same
    /// atomic step and returned, for the caller to end: of concurrent sign-ins
    /// each sees the others' entries, so the index never holds more than
    /// `limit`. Written before the record it points to, and taken out after
    /// the record is gone, so every live session is always in its index.
    async fn index_session(
        &self,
        user: UserId,
        entry: &IndexEntry,
        replaces: &[SessionId],
        limit: u32,
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// [`SessionIndexStore::index_session`] for an API session, then its record, in that
    /// order and in one round trip: what `session/createwithsso` does.
    async fn start_api_session(
        &self,
        user: UserId,
        entry: &IndexEntry,
        limit: u32,
        sid: &SecretHash,
        session: &ApiSession,
        ttl: Duration,
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// The user's entries that have not expired, in no particular order.
    /// An entry may outlive its record by a moment (or a crash between the
    /// two writes); callers check the record.
    async fn user_sessions(&self, user: UserId) -> Result<Vec<IndexEntry>, StoreError>;

    /// Takes entries out of the user's index; returns those that were there.
    async fn unindex_sessions(
        &self,
        user: UserId,
        ids: &[SessionId],
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// Records that a session was used at `now`: in the browser session's
    /// segment (if it still exists) and in the user's index entry (if it
    /// still exists). Never brings back what was ended.
    async fn touch_session(
        &self,
        user: UserId,
        id: &SessionId,
        target: &SessionTarget,
        now: i64,
    ) -> Result<(), StoreError>;
}

/// Back-channel logout: the per-client queues and each sign-out's delivery
/// states.
#[async_trait]
pub trait LogoutStore {
    /// Queues back-channel logouts, each in its own client's queue, due at
    /// once (durably on Redis: they survive a restart of every instance).
    /// A client's queue holds at most `cap` jobs: the oldest (by `since`)
    /// beyond it are taken out and returned, for the caller to report
    /// abandoned. Each client's queue lives apart (on a cluster, in a slot of
    /// its own), so one client's backlog costs the others nothing.
    async fn enqueue_logouts(
        &self,
        jobs: &[LogoutJob],
        cap: usize,
    ) -> Result<Vec<LogoutJob>, StoreError>;

    /// Up to `max` of `client`'s jobs that are due, earliest first, each
    /// leased for `lease`: not handed out again until it is finished or the
    /// lease runs out (its instance stopped). Found by due time, never by a
    /// scan of the queue. Unreadable entries are dropped and counted.
    async fn claim_logouts(
        &self,
        client: &ClientId,
        max: usize,
        lease: Duration,
    ) -> Result<ClaimedLogouts, StoreError>;

    /// Takes a leased job off its queue or, with `retry`, keeps it in its
    /// new state, due after the given wait. `false`, and nothing changed,
    /// when the job is no longer held under `lease`.
    async fn finish_logout(
        &self,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
    ) -> Result<bool, StoreError>;

    /// Records a new sign-out: the people whose sign-ins it ended (who may ask
    /// about it) and each client's delivery `Pending`, in one step, kept for
    /// `keep`.
    async fn start_signout(
        &self,
        signout: &str,
        users: &[UserId],
        clients: &[ClientId],
        keep: Duration,
    ) -> Result<(), StoreError>;

    /// Records where a sign-out's delivery to a client stands, kept for `keep`.
    async fn set_delivery_state(
        &self,
        signout: &str,
        client: &ClientId,
        state: DeliveryState,
        keep: Duration,
    ) -> Result<(), StoreError>;

    /// A sign-out's people and where each client's delivery stands (empty:
    /// unknown).
    async fn delivery_states(&self, signout: &str) -> Result<SignoutStates, StoreError>;
}

/// Rate-limit counters in fixed windows.
#[async_trait]
pub trait CounterStore {
    /// Counts one event under `key` in a fixed window; returns the count so far.
    async fn hit(&self, key: &str, window: Duration) -> Result<u64, StoreError>;

    /// The count under `key` without adding to it.
    async fn hits(&self, key: &str) -> Result<u64, StoreError>;

    /// Marks `key` for `window` unless it holds a mark or a count already;
    /// whether this call marked it. A spend mark: one plain write where a
    /// [`hit`](Self::hit) needs a script.
    async fn mark_once(&self, key: &str, window: Duration) -> Result<bool, StoreError>;

    async fn clear_hits(&self, key: &str) -> Result<(), StoreError>;
}

/// Opens the configured store. A Redis store that cannot be reached yet is
/// still returned: requests then answer 503 until Redis is back.
/// With `acks`, a Redis store answers a sign-in once that many replicas
/// have its record (or the wait is over).
pub async fn open(
    settings: &StoreSettings,
    acks: Option<ReplicaAcks>,
) -> Result<DynStore, StoreError> {
    Ok(match settings {
        StoreSettings::Memory => Arc::new(MemoryStore::new()),
        StoreSettings::Redis(url) => Arc::new(RedisStore::open(url).await?.with_acks(acks)),
        StoreSettings::RedisCluster(nodes) => {
            Arc::new(RedisStore::open_cluster(nodes).await?.with_acks(acks))
        }
    })
}
