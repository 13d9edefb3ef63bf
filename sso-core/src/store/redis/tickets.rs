//! Mailed one-use tickets and passkey ceremonies, each taken at most once.

use async_trait::async_trait;

use super::*;
use crate::domain::{Ceremony, Ticket, TicketKind};
use crate::store::TicketStore;

#[async_trait]
impl TicketStore for RedisStore {
    async fn put_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
        ticket: &Ticket,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.pset_ex::<_, _, ()>(key_ticket(kind, hash), to_json(ticket), millis(ttl))).await
    }

    async fn take_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
    ) -> Result<Option<Ticket>, StoreError> {
        let mut conn = self.conn().await?;
        let raw: Option<String> = timed(conn.get_del(key_ticket(kind, hash))).await?;
        from_json(raw)
    }

    async fn put_ceremony(
        &self,
        hash: &SecretHash,
        ceremony: &Ceremony,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        timed(conn.pset_ex::<_, _, ()>(key_ceremony(hash), to_json(ceremony), millis(ttl))).await
    }

    async fn take_ceremony(&self, hash: &SecretHash) -> Result<Option<Ceremony>, StoreError> {
        let mut conn = self.conn().await?;
        let raw: Option<String> = timed(conn.get_del(key_ceremony(hash))).await?;
        from_json(raw)
    }
}
