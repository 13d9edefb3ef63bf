//! Mailed one-use tickets, each taken at most once.

use async_trait::async_trait;

use super::*;
use crate::domain::{Ticket, TicketKind};
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
}
