//! What every handler can reach: the core's services, built once at start,
//! and what only the HTTP layer needs (the library's files, the documents).

use sso_core::access_token::AccessTokens;
use sso_core::backchannel::{Backchannel, Delivery};
use sso_core::config::Settings;
use sso_core::confirmations::Confirmations;
use sso_core::machine_secret::{Checker, FailurePacing};
use sso_core::oidc::SigningKeys;
use sso_core::passkeys::Passkeys;
use sso_core::password::{PasswordHasher, VerifiedSecrets};
use sso_core::sessions::Sessions;
use sso_core::store::DynStore;

use crate::assets::Assets;
use crate::discovery::Discovery;
use sso_core::accounts::Accounts;
use sso_core::authorization_codes::AuthorizationCodes;
use sso_core::mail::Mailer;
use sso_core::recovery::Recovery;

/// What every handler can reach.
pub struct AppState {
    pub settings: Settings,
    /// The browser library, when `assets_dir` is set.
    pub assets: Option<Assets>,
    pub store: DynStore,
    pub hasher: PasswordHasher,
    pub access_tokens: AccessTokens,
    /// Mints and redeems the sealed authorization codes.
    pub codes: AuthorizationCodes,
    pub id_tokens: SigningKeys,
    pub discovery: Discovery,
    /// `/openapi.json`, rendered on its first request: building it runs
    /// megabytes of generated code that a start need not page in.
    pub openapi: std::sync::OnceLock<String>,
    /// Client and application secrets that have verified once.
    pub secrets: VerifiedSecrets,
    /// Tokens that confirm a sign-in or sign-out came from the site's library.
    pub confirmations: Confirmations,
    /// Delays answers to wrong client and application secrets.
    pub auth_pacing: FailurePacing,
    /// Delivers back-channel logouts.
    pub backchannel: Backchannel,
    /// Sends mail to people, when `[email]` is configured.
    pub mailer: Option<Mailer>,
    /// The family's passkey relying party; `None` when `public_url`'s host
    /// is an IP address.
    pub passkeys: Option<Passkeys>,
}

impl AppState {
    /// What the session services work with.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions {
            store: self.store.as_ref(),
            settings: &self.settings,
            backchannel: &self.backchannel,
        }
    }

    /// What checking a client's or an application's secret works with.
    pub fn secret_checker(&self) -> Checker<'_> {
        Checker {
            store: self.store.as_ref(),
            limits: &self.settings.rate_limit,
            secrets: &self.secrets,
            hasher: &self.hasher,
        }
    }

    /// What registering and signing in to accounts work with.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            store: self.store.as_ref(),
            hasher: &self.hasher,
            limits: &self.settings.rate_limit,
        }
    }

    /// The passkey relying party, or why there is none.
    pub fn passkeys(&self) -> Result<&Passkeys, crate::error::ApiError> {
        self.passkeys
            .as_ref()
            .ok_or(crate::error::ApiError::PasskeysOff)
    }

    /// What the mailed links work with; `None` without `[email]`.
    pub fn recovery(&self) -> Option<Recovery<'_>> {
        Some(Recovery {
            store: self.store.as_ref(),
            hasher: &self.hasher,
            limits: &self.settings.rate_limit,
            email: self.settings.email.as_ref()?,
        })
    }

    /// What the back-channel sender works with.
    pub fn delivery(&self) -> Delivery<'_> {
        Delivery {
            settings: &self.settings,
            store: self.store.as_ref(),
            keys: &self.id_tokens,
            sender: &self.backchannel,
        }
    }
}
