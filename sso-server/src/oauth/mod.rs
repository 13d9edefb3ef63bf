//! The OAuth 2.0 token endpoint's parts: who the caller is (client
//! authentication) and the RFC 6749 §5.2 errors it answers with.

mod client_auth;
mod token_error;

pub use client_auth::{ClientCredentials, authenticate};
pub use token_error::{TokenError, TokenErrorBody};
