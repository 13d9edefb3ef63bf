//! The federated SSO server. See `ARCHITECTURE.md` at the repository root for
//! a map of this crate.

pub mod api;
pub mod assets;
pub mod credentials;
pub mod discovery;
pub mod error;
pub mod fd_budget;
pub mod fuzzing;
pub mod metrics;
pub mod oauth;
pub mod pages;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
