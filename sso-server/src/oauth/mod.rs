//! The OAuth 2.0 endpoints' parts: who the caller is (client
//! authentication), the errors the authorization endpoint redirects with,
//! the RFC 6749 §5.2 errors of the token endpoint and the
//! RFC 6750 §3 refusals of a bearer-token resource.

mod authorize_error;
mod bearer_error;
mod client_auth;
mod token_error;

pub use authorize_error::AuthorizeError;
pub use bearer_error::{BearerError, BearerErrorBody};
pub use client_auth::{ClientCredentials, authenticate};
pub use token_error::{TokenError, TokenErrorBody};
