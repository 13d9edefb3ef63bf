//! The in-process store: the embedded default, for `make run` and single
//! instances. Same semantics as Redis, including TTLs and take-once codes;
//! state is lost on restart.

mod codes;
mod counters;
mod logout_queue;
mod refresh_tokens;
mod session_index;
mod sessions;
mod state;
mod tickets;
mod users;

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use self::state::State;
use super::{
    CodeStore, CounterStore, InsertUserError, LinkError, LogoutStore, Removal, SessionIndexStore,
    SessionRecord, SessionStore, Store, StoreError, UserStore,
};
use crate::clock::{unix_now, unix_now_ms};
use crate::domain::SecretHash;
use crate::domain::{
    ApiSession, BrowserSession, ClientId, CodeKind, DeliveryState, Grant, IndexEntry, Segment,
    ServiceId, SessionId, SessionTarget, SignoutStates, User, UserId,
};

/// In-process store. One mutex: every operation is a few map operations, so
/// contention stays far below the cost of the HTTP request around it.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (each operation completes its writes before returning), so a
        // poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        drop(self.lock());
        Ok(())
    }
}
