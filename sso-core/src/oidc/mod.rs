//! OpenID Connect: the keys that sign this server's ID tokens (and their
//! JWKS), the ID token's and the logout token's claims, and reading an
//! `id_token_hint`. The discovery
//! document, which names endpoints, belongs to the HTTP crate.

mod id_token;
mod id_token_hint;
mod issued;
mod logout_token;
mod signing_keys;

pub use id_token::{IdTokenClaims, id_token_claims};
pub use id_token_hint::{HintError, IdTokenHint, read_id_token_hint};
pub use issued::IssuedTokens;
pub use logout_token::{
    BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYPE, LogoutClaims, sign_logout_token,
};
pub use signing_keys::{ALGORITHM, SigningKeyError, SigningKeys};
