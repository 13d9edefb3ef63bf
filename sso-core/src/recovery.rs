//! What a person proves by mail: that an address is theirs (verification)
//! and that they may set a new password (reset). Each link carries a
//! one-use ticket: 256 random bits, stored only as a hash, with a short
//! life, bound to the person and to the address it was mailed to.

use std::net::IpAddr;
use std::time::Duration;

use crate::clock::unix_now;
use crate::config::{EmailSettings, RateLimitSettings};
use crate::domain::{Email, Password, Secret, SecretHash, Ticket, TicketKind, User};
use crate::password::{PasswordError, PasswordHasher};
use crate::rate_limit::{self, RateLimitError};
use crate::store::{Store, StoreError, UserChange};

/// Reset mails one address may be sent per [`RESET_WINDOW`], whether or
/// not an account has it (so the limit says nothing about accounts).
pub const RESETS_PER_ADDRESS: u64 = 3;
pub const RESET_WINDOW: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// Unknown, used, expired, of another kind, or for an address the
    /// account no longer has: one answer for all.
    #[error("the link is not valid (used, expired or unknown)")]
    LinkInvalid,
    #[error("the password is the email address")]
    PasswordIsEmail,
    #[error(transparent)]
    RateLimited(#[from] RateLimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// What the mailed links need.
pub struct Recovery<'a> {
    pub store: &'a dyn Store,
    pub hasher: &'a PasswordHasher,
    pub limits: &'a RateLimitSettings,
    pub email: &'a EmailSettings,
}

impl Recovery<'_> {
    /// A verification ticket for the user's address (the text for the link).
    pub async fn verification(&self, user: &User) -> Result<Secret, StoreError> {
        self.ticket(
            TicketKind::EmailVerification,
            user,
            self.email.verification_ttl,
        )
        .await
    }

    /// Follows a verification link: the user, now verified.
    pub async fn verify(&self, raw: &str) -> Result<User, RecoveryError> {
        let (_, ticket) = self.take(TicketKind::EmailVerification, raw).await?;
        let change = UserChange::VerifyEmail {
            email_normalized: ticket.email_normalized,
        };
        match self.store.update_user(ticket.user, change).await? {
            Some(user) if user.email_verified => Ok(user),
            _ => Err(RecoveryError::LinkInvalid),
        }
    }

    /// "Forgot password": counts the request against `ip` and the address
    /// (whether or not an account has it, so the limit tells nothing).
    pub async fn count_forgot(
        &self,
        email: &Email,
        ip: Option<IpAddr>,
    ) -> Result<(), RecoveryError> {
        rate_limit::attempt_from(self.store, self.limits, ip).await?;
        self.count_mail("reset", email.normalized()).await
    }

    /// A new verification link asked for: three per address per hour.
    pub async fn count_verification(&self, user: &User) -> Result<(), RecoveryError> {
        self.count_mail("verify", &user.email_normalized).await
    }

    /// One more mail of `kind` to `address` within [`RESET_WINDOW`];
    /// refused past [`RESETS_PER_ADDRESS`].
    async fn count_mail(&self, kind: &str, address: &str) -> Result<(), RecoveryError> {
        let key = format!("{kind}:{address}");
        if self.store.hit(&key, RESET_WINDOW).await? > RESETS_PER_ADDRESS {
            return Err(RateLimitError::Limited(RESET_WINDOW.as_secs()).into());
        }
        Ok(())
    }

    /// The reset ticket of the person with this address, if any.
    pub async fn reset_ticket(&self, email: &Email) -> Result<Option<(User, Secret)>, StoreError> {
        let Some(user) = self.store.user_by_email(email.normalized()).await? else {
            return Ok(None);
        };
        let secret = self
            .ticket(TicketKind::PasswordReset, &user, self.email.reset_ttl)
            .await?;
        Ok(Some((user, secret)))
    }

    /// Follows a reset link with the new password: the user, changed. The
    /// caller ends the person's sign-ins and access tokens.
    pub async fn reset(&self, raw: &str, password: Password) -> Result<User, RecoveryError> {
        // The ticket is spent before the costly hash: a link works once,
        // even for two concurrent submissions (a password refused for being
        // the address puts it back).
        let (hash, ticket) = self.take(TicketKind::PasswordReset, raw).await?;
        if password.expose().to_lowercase() == ticket.email_normalized {
            // A refused password does not spend the link.
            let left = ticket.expires - unix_now();
            if let Ok(left @ 1..) = u64::try_from(left) {
                let ttl = Duration::from_secs(left);
                self.store
                    .put_ticket(TicketKind::PasswordReset, &hash, &ticket, ttl)
                    .await?;
            }
            return Err(RecoveryError::PasswordIsEmail);
        }
        let hash = self.hasher.hash(password).await?;
        let Some(user) = self.store.user(ticket.user).await? else {
            return Err(RecoveryError::LinkInvalid);
        };
        if user.email_normalized != ticket.email_normalized {
            return Err(RecoveryError::LinkInvalid);
        }
        let user = self
            .store
            .update_user(user.id, UserChange::SetPassword { hash })
            .await?
            .ok_or(RecoveryError::LinkInvalid)?;
        // A forgotten password is often a locked-out one: the new one works.
        rate_limit::clear_failures(self.store, &user.email_normalized).await?;
        Ok(user)
    }

    async fn ticket(
        &self,
        kind: TicketKind,
        user: &User,
        ttl: Duration,
    ) -> Result<Secret, StoreError> {
        let secret = Secret::generate();
        let ticket = Ticket {
            user: user.id,
            email_normalized: user.email_normalized.clone(),
            expires: unix_now() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
        };
        self.store
            .put_ticket(kind, &secret.hash(), &ticket, ttl)
            .await?;
        Ok(secret)
    }

    async fn take(
        &self,
        kind: TicketKind,
        raw: &str,
    ) -> Result<(SecretHash, Ticket), RecoveryError> {
        let secret = Secret::parse(raw).map_err(|_| RecoveryError::LinkInvalid)?;
        let hash = secret.hash();
        let ticket = self.store.take_ticket(kind, &hash).await?;
        Ok((hash, ticket.ok_or(RecoveryError::LinkInvalid)?))
    }
}
