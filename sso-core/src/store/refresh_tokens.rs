//! The store's part for refresh-token chains (see `domain::refresh`).

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{ClientId, RefreshFamily, RefreshRecord, Rotation, SecretHash};

/// Refresh-token chains, one record per family, each changed atomically
/// (one key, one slot on a cluster).
#[async_trait]
pub trait RefreshStore {
    /// Starts a chain, kept for `ttl`.
    async fn put_refresh(
        &self,
        family: &RefreshFamily,
        record: &RefreshRecord,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// In one atomic step: if `presented` is the chain's current secret
    /// and `client` its client, `next` becomes current and the chain is
    /// kept for `idle` (never past its end, `now_ms` being now); if it is
    /// not current, the chain ends. Of two concurrent redemptions of one
    /// secret, one rotates and the other ends the chain.
    async fn rotate_refresh(
        &self,
        family: &RefreshFamily,
        presented: &SecretHash,
        client: &ClientId,
        next: &SecretHash,
        idle: Duration,
        now_ms: i64,
    ) -> Result<Rotation, StoreError>;

    async fn delete_refresh(&self, family: &RefreshFamily) -> Result<(), StoreError>;
}
