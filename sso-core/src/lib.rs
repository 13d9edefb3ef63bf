//! The SSO core: the domain, the configuration model, the store and the
//! services that sign people in and keep their sessions. It knows nothing of
//! HTTP; `sso-server` translates requests into calls here. See
//! `ARCHITECTURE.md` at the repository root for the layers and their rules.

pub mod access_token;
pub mod accounts;
pub mod authorization_codes;
pub mod backchannel;
pub mod clock;
pub mod config;
pub mod confirmations;
pub mod domain;
pub mod machine_secret;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod rate_limit;
pub mod recovery;
pub mod refresh_tokens;
pub mod sealed;
pub mod sessions;
pub mod sso_service;
pub mod store;
pub mod tokens;
