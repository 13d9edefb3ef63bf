//! OpenID Connect: the keys that sign this server's ID tokens, the ID
//! token's claims, and the discovery document that describes both.

mod discovery;
mod id_token;
mod issued;
mod signing_keys;

pub use discovery::Discovery;
pub use id_token::{IdTokenClaims, id_token_claims};
pub use issued::IssuedTokens;
pub use signing_keys::{ALGORITHM, SigningKeyError, SigningKeys};
