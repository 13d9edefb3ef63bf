//! The store's part for what a person receives by mail (one-use tickets),
//! and the changes to an account that it and the passkeys lead to.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use webauthn_rs::prelude::AuthenticationResult;

use crate::domain::{
    Ceremony, MAX_PASSKEYS, PasskeyName, SecretHash, StoredPasskey, Ticket, TicketKind, User,
};

/// How stale a passkey's "last used" may get before a sign-in that changes
/// nothing else writes it.
const LAST_USED_EVERY_SECS: i64 = 60;

/// A change to a stored user, applied to the record as it is when written
/// (a concurrent change is read again, never overwritten).
#[derive(Debug, Clone)]
pub enum UserChange {
    /// Marks the email verified if the account still has this address.
    VerifyEmail {
        email_normalized: String,
    },
    /// A new PHC password hash.
    SetPassword {
        hash: String,
    },
    /// Adds a passkey, unless the person has [`MAX_PASSKEYS`] already or
    /// has this one.
    AddPasskey(Box<StoredPasskey>),
    RenamePasskey {
        id: String,
        name: PasskeyName,
    },
    DeletePasskey {
        id: String,
    },
    /// A sign-in with the passkey: its counter and backup state as the
    /// authenticator reported them (a counter only ever grows), and when.
    UsePasskey {
        result: Box<AuthenticationResult>,
        at: i64,
    },
}

/// One-use items, each taken at most once: mailed tickets, and passkey
/// ceremonies in progress.
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

    /// Stores a passkey ceremony under the hash of its id for at most `ttl`.
    async fn put_ceremony(
        &self,
        hash: &SecretHash,
        ceremony: &Ceremony,
        ttl: Duration,
    ) -> Result<(), StoreError>;

    /// Removes and returns a ceremony in one atomic step.
    async fn take_ceremony(&self, hash: &SecretHash) -> Result<Option<Ceremony>, StoreError>;
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
            Self::AddPasskey(passkey) => {
                if user.passkeys.len() >= MAX_PASSKEYS || user.passkey(&passkey.id()).is_some() {
                    return false;
                }
                user.passkeys.push((**passkey).clone());
            }
            Self::RenamePasskey { id, name } => {
                let Some(passkey) = user.passkeys.iter_mut().find(|p| p.id() == *id) else {
                    return false;
                };
                passkey.name = name.clone();
            }
            Self::DeletePasskey { id } => {
                let before = user.passkeys.len();
                user.passkeys.retain(|p| p.id() != *id);
                return user.passkeys.len() < before;
            }
            Self::UsePasskey { result, at } => {
                let Some(passkey) = user
                    .passkeys
                    .iter_mut()
                    .find(|p| p.key.cred_id() == result.cred_id())
                else {
                    return false;
                };
                // Synced passkeys report no counter: a sign-in that changes
                // nothing but a recent last use is not worth a write.
                let changed = passkey.key.update_credential(result) == Some(true);
                if !changed
                    && passkey
                        .last_used
                        .is_some_and(|t| at - t < LAST_USED_EVERY_SECS)
                {
                    return false;
                }
                passkey.last_used = Some(*at);
            }
        }
        true
    }
}
