//! People's accounts: registering one and signing in with a password. The
//! registration API and the server's hosted pages both come here, so they
//! share the throttles, the hashing and the answers.

use std::net::IpAddr;

use crate::clock::unix_now;
use crate::config::RateLimitSettings;
use crate::domain::{DisplayName, Email, Password, User, UserId};
use crate::password::{PasswordError, PasswordHasher};
use crate::rate_limit::{self, RateLimitError};
use crate::store::{InsertUserError, Store, StoreError};

/// Why an account could not be created or signed in to.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Wrong email or password: one answer for both.
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("an account with this email address exists")]
    EmailAddressInUse,
    #[error("the password is the email address")]
    PasswordIsEmail,
    #[error(transparent)]
    RateLimited(#[from] RateLimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// What a store and a hasher need to act on accounts.
pub struct Accounts<'a> {
    pub store: &'a dyn Store,
    pub hasher: &'a PasswordHasher,
    pub limits: &'a RateLimitSettings,
}

/// The new account's fields, parsed.
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
}

impl Accounts<'_> {
    /// Counts one attempt from `ip` against its budget (sign-in and
    /// registration alike).
    pub async fn attempt_from(&self, ip: Option<IpAddr>) -> Result<(), AccountError> {
        Ok(rate_limit::attempt_from(self.store, self.limits, ip).await?)
    }

    /// Creates the account; the email is unique (the insert guarantees it).
    pub async fn register(&self, new: NewAccount) -> Result<User, AccountError> {
        if new.password.expose().to_lowercase() == new.email.normalized() {
            return Err(AccountError::PasswordIsEmail);
        }
        // Cheap early answer before the costly hash.
        if self
            .store
            .user_by_email(new.email.normalized())
            .await?
            .is_some()
        {
            return Err(AccountError::EmailAddressInUse);
        }
        let user = User {
            id: UserId::new(),
            email: new.email.as_str().to_owned(),
            email_normalized: new.email.normalized().to_owned(),
            display_name: new.display_name.as_str().to_owned(),
            password_hash: self.hasher.hash(new.password).await?,
            created: unix_now(),
            username: None,
            roles: Vec::new(),
            api_user: false,
            email_verified: false,
            passkeys: Vec::new(),
        };
        match self.store.insert_user(&user).await {
            Ok(()) => Ok(user),
            // Registered users have no username, so only the email can clash.
            Err(InsertUserError::EmailTaken | InsertUserError::UsernameTaken) => {
                Err(AccountError::EmailAddressInUse)
            }
            Err(InsertUserError::Store(e)) => Err(e.into()),
        }
    }

    /// The account `email` names, if `password` is its password. Each try
    /// spends one of the account's failure budget first; success gives
    /// the budget back.
    pub async fn sign_in(&self, email: &Email, password: Password) -> Result<User, AccountError> {
        let normalized = email.normalized();
        rate_limit::reserve_account_attempt(self.store, self.limits, normalized).await?;
        let user = self.store.user_by_email(normalized).await?;
        // A user created through the API without a password has no hash: it
        // is verified against the dummy like an unknown account, in the
        // same time.
        let stored = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .filter(|h| !h.is_empty());
        if !self.hasher.verify(stored, password).await? {
            return Err(AccountError::InvalidCredentials);
        }
        let user = user.ok_or(AccountError::InvalidCredentials)?;
        rate_limit::clear_failures(self.store, normalized).await?;
        Ok(user)
    }
}

/// Whether the client or the flow it asks through requires a confirmed
/// email address (`require_verified_email` on either).
pub fn requires_verified_email(
    client: &crate::config::Client,
    flow: Option<&crate::config::Flow>,
) -> bool {
    client.require_verified_email || flow.is_some_and(|f| f.require_verified_email)
}

/// Whether `client`, through `flow`, may be given the person `user`:
/// always, unless one of them requires a confirmed email address and the
/// person has not confirmed theirs. Read from the record, never from a
/// session's profile copy, so it holds as soon as the link is followed;
/// without the requirement it costs no read.
pub async fn may_receive(
    store: &dyn Store,
    client: &crate::config::Client,
    flow: Option<&crate::config::Flow>,
    user: UserId,
) -> Result<bool, StoreError> {
    if !requires_verified_email(client, flow) {
        return Ok(true);
    }
    Ok(store.user(user).await?.is_some_and(|u| u.email_verified))
}
