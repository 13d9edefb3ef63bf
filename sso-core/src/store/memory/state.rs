//! The maps behind the in-process store, and values that expire in them.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::logout_queue::LogoutQueues;
use crate::domain::SecretHash;
use crate::domain::{
    ApiSession, BrowserSession, Ceremony, CodeKind, Grant, IndexEntry, RefreshFamily,
    RefreshRecord, ServiceId, SessionId, SignoutStates, Ticket, TicketKind, User, UserId,
};

/// A value and the instant it stops existing.
pub(super) struct Expiring<T> {
    pub(super) value: T,
    pub(super) until: Instant,
}

impl<T> Expiring<T> {
    pub(super) fn new(value: T, ttl: Duration) -> Self {
        Self {
            value,
            until: Instant::now() + ttl,
        }
    }
    pub(super) fn live(&self, now: Instant) -> bool {
        self.until > now
    }
}

/// A map whose entries expire; expired entries are invisible at once and
/// swept every few thousand writes so memory stays bounded.
pub(super) struct ExpiringMap<K, V> {
    pub(super) entries: HashMap<K, Expiring<V>>,
    pub(super) writes: u32,
}

impl<K: std::hash::Hash + Eq, V> Default for ExpiringMap<K, V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            writes: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq, V> ExpiringMap<K, V> {
    const SWEEP_EVERY: u32 = 4096;

    pub(super) fn insert(&mut self, key: K, value: V, ttl: Duration) {
        self.writes += 1;
        if self.writes >= Self::SWEEP_EVERY {
            self.writes = 0;
            let now = Instant::now();
            self.entries.retain(|_, e| e.live(now));
        }
        self.entries.insert(key, Expiring::new(value, ttl));
    }

    pub(super) fn get(&self, key: &K) -> Option<&V> {
        self.entries
            .get(key)
            .filter(|e| e.live(Instant::now()))
            .map(|e| &e.value)
    }

    pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut Expiring<V>> {
        let now = Instant::now();
        self.entries.get_mut(key).filter(|e| e.live(now))
    }

    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        self.entries
            .remove(key)
            .filter(|e| e.live(Instant::now()))
            .map(|e| e.value)
    }
}

#[derive(Default)]
pub(super) struct State {
    pub(super) users: HashMap<UserId, User>,
    pub(super) emails: HashMap<String, UserId>,
    pub(super) api_emails: HashMap<String, UserId>,
    pub(super) usernames: HashMap<String, UserId>,
    /// SSO token → user and user → token, per service; changed together.
    pub(super) token_users: HashMap<(ServiceId, SecretHash), UserId>,
    pub(super) user_tokens: HashMap<(ServiceId, UserId), SecretHash>,
    pub(super) api_sessions: ExpiringMap<SecretHash, ApiSession>,
    pub(super) sso_codes: ExpiringMap<SecretHash, Grant>,
    pub(super) auth_codes: ExpiringMap<SecretHash, Grant>,
    pub(super) pending_sign_ins: ExpiringMap<SecretHash, Grant>,
    pub(super) sessions: ExpiringMap<SecretHash, BrowserSession>,
    /// Each user's sessions, kept as long as the latest entry.
    pub(super) indexes: ExpiringMap<UserId, BTreeMap<SessionId, IndexEntry>>,
    pub(super) counters: ExpiringMap<String, u64>,
    /// Per user, the unix ms up to which their access tokens are refused.
    pub(super) revoked_tokens: ExpiringMap<UserId, i64>,
    pub(super) logouts: LogoutQueues,
    /// Per sign-out, its people and each client's delivery state.
    pub(super) deliveries: ExpiringMap<String, SignoutStates>,
    /// Refresh-token chains, by family.
    pub(super) refresh: ExpiringMap<RefreshFamily, RefreshRecord>,
    /// Mailed one-use tickets, by kind and hash.
    pub(super) tickets: ExpiringMap<(TicketKind, SecretHash), Ticket>,
    /// Passkey ceremonies in progress, by the hash of their id.
    pub(super) ceremonies: ExpiringMap<SecretHash, Ceremony>,
}

impl State {
    /// The user's live entries, taken out of the map (put back with
    /// [`State::put_index`]).
    pub(super) fn take_index(&mut self, user: UserId, now: i64) -> BTreeMap<SessionId, IndexEntry> {
        let mut index = self.indexes.remove(&user).unwrap_or_default();
        index.retain(|_, e| e.expires > now);
        index
    }

    pub(super) fn put_index(
        &mut self,
        user: UserId,
        index: BTreeMap<SessionId, IndexEntry>,
        now: i64,
    ) {
        if let Some(last) = index.values().map(|e| e.expires).max() {
            let ttl = Duration::from_secs(u64::try_from(last - now).unwrap_or(0).max(1));
            self.indexes.insert(user, index, ttl);
        }
    }

    pub(super) fn codes(&mut self, kind: CodeKind) -> &mut ExpiringMap<SecretHash, Grant> {
        match kind {
            CodeKind::SsoCode => &mut self.sso_codes,
            CodeKind::AuthorizationCode => &mut self.auth_codes,
            CodeKind::PendingSignIn => &mut self.pending_sign_ins,
        }
    }
}
