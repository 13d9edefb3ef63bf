//! Mailed one-use tickets, each taken at most once.

use async_trait::async_trait;

use super::*;
use crate::domain::{Ticket, TicketKind};
use crate::store::TicketStore;

#[async_trait]
impl TicketStore for MemoryStore {
    async fn put_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
        ticket: &Ticket,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .tickets
            .insert((kind, hash.clone()), ticket.clone(), ttl);
        Ok(())
    }

    async fn take_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
    ) -> Result<Option<Ticket>, StoreError> {
        Ok(self.lock().tickets.remove(&(kind, hash.clone())))
    }
}
