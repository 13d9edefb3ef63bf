//! Mailed one-use tickets and passkey ceremonies, each taken at most once.

use async_trait::async_trait;

use super::*;
use crate::domain::{Ceremony, Ticket, TicketKind};
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

    async fn put_ceremony(
        &self,
        hash: &SecretHash,
        ceremony: &Ceremony,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.lock()
            .ceremonies
            .insert(hash.clone(), ceremony.clone(), ttl);
        Ok(())
    }

    async fn take_ceremony(&self, hash: &SecretHash) -> Result<Option<Ceremony>, StoreError> {
        Ok(self.lock().ceremonies.remove(hash))
    }
}
