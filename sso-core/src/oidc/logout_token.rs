//! The logout token of OpenID Connect Back-Channel Logout 1.0 §2.4: a JWT
//! signed like ID tokens, telling a client's backend that a sign-in ended.

use serde::Serialize;
use serde_json::{Map, Value};

use super::SigningKeys;

/// The `events` member that makes a JWT a logout token.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Its JWS `typ` (§2.4: explicit typing keeps it from passing as an ID token).
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";

/// A logout token's lifetime: it is made for one delivery attempt.
pub const LOGOUT_TOKEN_SECS: i64 = 120;

#[derive(Debug, Serialize)]
pub struct LogoutClaims<'a> {
    pub iss: &'a str,
    pub aud: &'a str,
    pub iat: i64,
    pub exp: i64,
    pub jti: &'a str,
    pub events: Map<String, Value>,
    /// The person's uuid.
    pub sub: String,
    /// The sign-in that ended (the `sid` of the ID tokens it backed).
    pub sid: &'a str,
}

impl<'a> LogoutClaims<'a> {
    pub fn new(
        iss: &'a str,
        aud: &'a str,
        jti: &'a str,
        sub: String,
        sid: &'a str,
        now: i64,
    ) -> Self {
        let mut events = Map::new();
        events.insert(
            BACKCHANNEL_LOGOUT_EVENT.to_owned(),
            Value::Object(Map::new()),
        );
        Self {
            iss,
            aud,
            iat: now,
            exp: now + LOGOUT_TOKEN_SECS,
            jti,
            events,
            sub,
            sid,
        }
    }
}

/// Signs `claims` as a logout token: never with a `nonce` (§2.4).
pub fn sign_logout_token(keys: &SigningKeys, claims: &LogoutClaims<'_>) -> String {
    keys.sign_typed(LOGOUT_TOKEN_TYPE, claims)
}
