//! Confirmation of the two endpoints that change a browser's session.
//!
//! Any page can navigate a visitor to `/sso/set` or `/sso/end`, with any
//! parameters: the request alone cannot tell the site's own library from a
//! hostile page (not by `Referer`, which sites may suppress, nor by
//! `Sec-Fetch-Site`, the same for both). What a hostile page cannot do is
//! read what the server delivers to the site's registered receiver: only
//! the library on the site's origin that holds the pending `state` takes
//! it. So a change happens only when the request carries a token that was
//! delivered there and is bound to this browser:
//!
//! - sign-in: `/sso/set` with an `sso_code` only parks the sign-in under a
//!   new pending cookie and delivers a token bound to that cookie; the
//!   library then repeats the request with `confirm=<token>`, and only that
//!   activates the session. A hostile page's code parks a sign-in the
//!   visitor's library never confirms; a token from the attacker's own
//!   browser is bound to a pending cookie the visitor does not have.
//! - sign-out: `/sso/end` ends sessions only with the sign-out token of
//!   this session and client, which every successful check and sign-in
//!   delivers to the receiver (the library keeps it); without it, or with
//!   a stale one, nothing ends and the answer delivers the token, so the
//!   library repeats the request once with it.
//!
//! - RP-initiated logout without a hint for the current sign-in asks the
//!   person on a page of the server; its form carries a token bound to
//!   the cookie and client, of a purpose of its own.
//!
//! Tokens are HMAC-SHA256 (first 128 bits) under a key derived from
//! `access_token_key`, over the purpose, the cookie hash and the client.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::AccessTokenKey;
use crate::domain::ClientId;
use crate::domain::SecretHash;

const TOKEN_LEN: usize = 16;

#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    SignIn,
    SignOut,
    /// RP-initiated logout's confirmation page (`/oauth/logout`): its form
    /// carries the token, which only a page of this server shows.
    EndSession,
    /// The hosted sign-in and create-account forms of the authorization
    /// endpoint: bound to a cookie of the form's own and to the
    /// authorization request the form carries ([`Confirmations::token_for`]).
    Authorize,
}

pub struct Confirmations {
    mac: Hmac<Sha256>,
}

impl Confirmations {
    pub fn new(key: &AccessTokenKey) -> Self {
        Self {
            mac: Hmac::new_from_slice(&key.derive("sso confirmation")).expect("any key length"),
        }
    }

    fn mac(&self, purpose: Purpose, bound: &SecretHash, client: &ClientId) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(match purpose {
            Purpose::SignIn => b"sign-in\0",
            Purpose::SignOut => b"sign-out",
            Purpose::EndSession => b"end-sess",
            Purpose::Authorize => b"authoriz",
        });
        mac.update(bound.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(client.as_str().as_bytes());
        mac
    }

    /// The token for `purpose` in the browser whose cookie hashes to
    /// `bound`, for `client`.
    pub fn token(&self, purpose: Purpose, bound: &SecretHash, client: &ClientId) -> String {
        let tag = self.mac(purpose, bound, client).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..TOKEN_LEN])
    }

    /// Whether `presented` is that token (compared in constant time).
    pub fn verify(
        &self,
        purpose: Purpose,
        bound: &SecretHash,
        client: &ClientId,
        presented: &str,
    ) -> bool {
        Self::check(self.mac(purpose, bound, client), presented)
    }

    /// A token that also binds `request`, the canonical text of what a form
    /// asks for: a form cannot carry another request than it was shown with.
    pub fn token_for(
        &self,
        purpose: Purpose,
        bound: &SecretHash,
        client: &ClientId,
        request: &str,
    ) -> String {
        let tag = self
            .mac_for(purpose, bound, client, request)
            .finalize()
            .into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..TOKEN_LEN])
    }

    /// Whether `presented` is [`Self::token_for`] these.
    pub fn verify_for(
        &self,
        purpose: Purpose,
        bound: &SecretHash,
        client: &ClientId,
        request: &str,
        presented: &str,
    ) -> bool {
        Self::check(self.mac_for(purpose, bound, client, request), presented)
    }

    fn mac_for(
        &self,
        purpose: Purpose,
        bound: &SecretHash,
        client: &ClientId,
        request: &str,
    ) -> Hmac<Sha256> {
        let mut mac = self.mac(purpose, bound, client);
        mac.update(b"\0");
        mac.update(request.as_bytes());
        mac
    }

    fn check(mac: Hmac<Sha256>, presented: &str) -> bool {
        if presented.len() > 64 {
            return false;
        }
        let Ok(tag) = URL_SAFE_NO_PAD.decode(presented) else {
            return false;
        };
        tag.len() == TOKEN_LEN && mac.verify_truncated_left(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Secret;

    #[test]
    fn tokens_bind_purpose_cookie_and_client() {
        let c = Confirmations::new(&AccessTokenKey::generate());
        let (news, sport) = (
            ClientId::parse("news").unwrap(),
            ClientId::parse("sport").unwrap(),
        );
        let (a, b) = (Secret::generate().hash(), Secret::generate().hash());
        let t = c.token(Purpose::SignOut, &a, &news);
        assert!(c.verify(Purpose::SignOut, &a, &news, &t));
        assert!(!c.verify(Purpose::SignIn, &a, &news, &t));
        assert!(!c.verify(Purpose::SignOut, &b, &news, &t));
        let f = c.token_for(Purpose::Authorize, &a, &news, "state=1");
        assert!(c.verify_for(Purpose::Authorize, &a, &news, "state=1", &f));
        assert!(!c.verify_for(Purpose::Authorize, &a, &news, "state=2", &f));
        assert!(!c.verify_for(Purpose::Authorize, &b, &news, "state=1", &f));
        assert!(!c.verify(Purpose::SignOut, &a, &sport, &t));
        assert!(!c.verify(Purpose::SignOut, &a, &news, ""));
        assert!(!c.verify(Purpose::SignOut, &a, &news, &"A".repeat(1000)));
        let other = Confirmations::new(&AccessTokenKey::generate());
        assert!(!other.verify(Purpose::SignOut, &a, &news, &t));
    }
}
