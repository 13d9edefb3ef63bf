//! The store's part for what a person receives by mail: one-use tickets,
//! and the changes to an account they lead to.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{SecretHash, Ticket, TicketKind, User};

/// A change to a stored user, applied to the record as it is when written
/// (a concurrent change is read again, never overwritten).
#[derive(Debug, Clone)]
pub enum UserChange {
    /// Marks the email verified if the account still has this address.
    VerifyEmail { email_normalized: String },
    /// A new PHC password hash.
    SetPassword { hash: String },
}

/// Mailed one-use tickets, each taken at most once.
#[async_trait]
pub trait TicketStore {
    /// Stores a ticket under its hash for at most `ttl`.
    async fn put_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
        ticket: &Ticket,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// Removes and returns a ticket in one atomic step.
    async fn take_ticket(
        &self,
        kind: TicketKind,
        hash: &SecretHash,
    ) -> Result<Option<Ticket>, StoreError>;
}

impl UserChange {
    /// The change made to `user`; false if it does not apply any more.
    pub fn apply(&self, user: &mut User) -> bool {
        match self {
            Self::VerifyEmail { email_normalized } => {
                if user.email_normalized != *email_normalized {
                    return false;
                }
                user.email_verified = true;
            }
            Self::SetPassword { hash } => user.password_hash.clone_from(hash),
        }
        true
    }
}
