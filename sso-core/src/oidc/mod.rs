//! OpenID Connect: the keys that sign this server's ID tokens, the ID
//! token's and the logout token's claims, and the discovery document that
//! describes them.

mod discovery;
mod id_token;
mod issued;
mod logout_token;
mod signing_keys;

pub use discovery::Discovery;
pub use id_token::{IdTokenClaims, id_token_claims};
pub use issued::IssuedTokens;
pub use logout_token::{
    BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYPE, LogoutClaims, sign_logout_token,
};
pub use signing_keys::{ALGORITHM, SigningKeyError, SigningKeys};
