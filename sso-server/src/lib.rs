//! The federated SSO server. See `ARCHITECTURE.md` at the repository root for
//! a map of this crate.

pub mod access_token;
pub mod api;
pub mod assets;
pub mod backchannel;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod domain;
pub mod error;
pub mod fd_budget;
pub mod fuzzing;
pub mod machine_secret;
pub mod metrics;
pub mod oauth;
pub mod oidc;
pub mod password;
pub mod rate_limit;
pub mod routes;
pub mod secrets;
pub mod sessions;
pub mod sso_service;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tokens;
