//! Access tokens: self-contained and sealed, so minting one costs no store
//! write (`/sso/check` mints one per page load) and the store holds none.
//!
//! A token from `/sso/check` is bound to the browser session and segment it
//! came from: it stops working when that SSO session ends (sign-out anywhere
//! in the segment) or the browser signs in again (the cookie rotates). A
//! token from the registration API is bound to no session (there is none
//! yet); it lives out its lifetime unless its person signs out everywhere
//! (every token issued before that is refused: `issued_ms`).
//!
//! A token is a [`Sealer`] envelope whose payload is `expires (i64 BE) ‖
//! issued, unix ms (i64 BE) ‖ uuid (16) ‖ released fields (1) ‖ client ‖
//! segment ‖ session` (each string one length byte and its bytes; segment
//! and session empty when unbound). Two tokens of one session (for two
//! sites, or two page loads) share no byte a site could correlate them by.

use uuid::Uuid;

use crate::config::AccessTokenKey;
use crate::config::Release;
use crate::domain::SecretHash;
use crate::domain::{ClientId, Segment, SessionBinding, UserId};
use crate::sealed::Sealer;

const VERSION: u8 = 3;
/// Longer than any token we mint; anything longer is refused unread.
const MAX_TEXT_LEN: usize = 512;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user: UserId,
    pub client: ClientId,
    /// Unix time, seconds.
    pub expires: i64,
    /// When it was minted, unix milliseconds: refused if its person signed
    /// out everywhere since.
    pub issued_ms: i64,
    /// The profile fields the client's flow released: all `/entity` shows.
    pub release: Release,
    pub session: Option<SessionBinding>,
}

/// Mints and opens access tokens under one key.
pub struct AccessTokens {
    sealer: Sealer,
}

impl AccessTokens {
    pub fn new(key: &AccessTokenKey) -> Self {
        Self {
            sealer: Sealer::new(key, "access token seal", VERSION, MAX_TEXT_LEN),
        }
    }

    pub fn mint(&self, claims: &AccessClaims) -> String {
        let mut payload = Vec::with_capacity(96);
        payload.extend_from_slice(&claims.expires.to_be_bytes());
        payload.extend_from_slice(&claims.issued_ms.to_be_bytes());
        payload.extend_from_slice(claims.user.0.as_bytes());
        payload.push(claims.release.bits());
        let (segment, sid) = claims
            .session
            .as_ref()
            .map_or(("", ""), |b| (b.segment.as_str(), b.sid.as_str()));
        for field in [claims.client.as_str(), segment, sid] {
            // Client ids, segments and session hashes are short by construction.
            payload.push(u8::try_from(field.len()).expect("field under 256 bytes"));
            payload.extend_from_slice(field.as_bytes());
        }
        self.sealer.seal(payload)
    }

    /// The claims of a token this key minted, or `None` for anything else
    /// (malformed, tampered, of an older version, or minted under another
    /// key). Expiry is the caller's to check, against its own clock.
    pub fn open(&self, text: &str) -> Option<AccessClaims> {
        let payload = self.sealer.open(text)?;
        let mut rest = payload.as_slice();
        let mut take = |n: usize| {
            let (head, tail) = rest.split_at_checked(n)?;
            rest = tail;
            Some(head)
        };
        let expires = i64::from_be_bytes(take(8)?.try_into().ok()?);
        let issued_ms = i64::from_be_bytes(take(8)?.try_into().ok()?);
        let user = UserId(Uuid::from_slice(take(16)?).ok()?);
        let release = Release::from_bits(*take(1)?.first()?)?;
        let mut text_field = || {
            let len = usize::from(*take(1)?.first()?);
            std::str::from_utf8(take(len)?).ok().map(str::to_owned)
        };
        let client = ClientId::parse(&text_field()?).ok()?;
        let (segment, sid) = (text_field()?, text_field()?);
        let session = match (segment.is_empty(), sid.is_empty()) {
            (true, true) => None,
            (false, false) => Some(SessionBinding {
                sid: SecretHash::from_stored(sid),
                segment: Segment::parse(&segment).ok()?,
            }),
            _ => return None,
        };
        Some(AccessClaims {
            user,
            client,
            expires,
            issued_ms,
            release,
            session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Secret;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn claims(bound: bool) -> AccessClaims {
        AccessClaims {
            user: UserId::new(),
            client: ClientId::parse("news").unwrap(),
            expires: 1_900_000_000,
            issued_ms: 1_899_999_000_000,
            release: Release::from_bits(5).unwrap(),
            session: bound.then(|| SessionBinding {
                sid: Secret::generate().hash(),
                segment: Segment::parse("news").unwrap(),
            }),
        }
    }

    #[test]
    fn minted_tokens_open_to_their_claims() {
        let tokens = AccessTokens::new(&AccessTokenKey::generate());
        for bound in [false, true] {
            let c = claims(bound);
            assert_eq!(tokens.open(&tokens.mint(&c)), Some(c));
        }
    }

    /// Defect: tokens carried the session's store key in clear text, the
    /// same for every site. Sealed, they show neither it nor the user.
    #[test]
    fn tokens_show_neither_the_session_key_nor_the_user() {
        let tokens = AccessTokens::new(&AccessTokenKey::generate());
        let c = claims(true);
        let sid = c.session.as_ref().unwrap().sid.as_str().to_owned();
        let (a, b) = (tokens.mint(&c), tokens.mint(&c));
        assert_ne!(a, b, "two mints of the same claims differ");
        for token in [a, b] {
            let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
            let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
            assert!(!has(sid.as_bytes()), "the session key shows");
            assert!(!has(c.user.0.as_bytes()), "the user shows");
            assert!(!has(b"news"), "the client shows");
        }
    }

    #[test]
    fn tampered_truncated_or_foreign_tokens_do_not_open() {
        let key = AccessTokenKey::generate();
        let tokens = AccessTokens::new(&key);
        let token = tokens.mint(&claims(true));
        // Every single-character change is caught.
        for i in 0..token.len() {
            let mut t = token.clone().into_bytes();
            t[i] = if t[i] == b'A' { b'B' } else { b'A' };
            assert_eq!(
                tokens.open(std::str::from_utf8(&t).unwrap()),
                None,
                "at {i}"
            );
        }
        for cut in [0, 1, 10, token.len() - 1] {
            assert_eq!(tokens.open(&token[..cut]), None);
        }
        let other = AccessTokens::new(&AccessTokenKey::generate());
        assert_eq!(other.open(&token), None);
        assert_eq!(tokens.open(&"A".repeat(10_000)), None);
        assert_eq!(tokens.open("not base64 at all!"), None);
    }

    proptest::proptest! {
        /// Any single-bit change, in the sealed bytes or in the text,
        /// is refused: the seal covers every byte, version and nonce too.
        #[test]
        fn any_single_bit_change_is_refused(
            bound: bool,
            release in 0u8..8,
            expires in 0i64..4_000_000_000,
            bit in 0usize..4096,
        ) {
            let tokens = AccessTokens::new(&AccessTokenKey::generate());
            let c = AccessClaims {
                expires,
                release: Release::from_bits(release).unwrap(),
                ..claims(bound)
            };
            let token = tokens.mint(&c);
            proptest::prop_assert_eq!(tokens.open(&token), Some(c));
            let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
            let at = bit % (bytes.len() * 8);
            bytes[at / 8] ^= 1 << (at % 8);
            proptest::prop_assert_eq!(tokens.open(&URL_SAFE_NO_PAD.encode(&bytes)), None);
            let mut text = token.into_bytes();
            let at = bit % (text.len() * 8);
            text[at / 8] ^= 1 << (at % 8);
            if let Ok(text) = std::str::from_utf8(&text) {
                proptest::prop_assert_eq!(tokens.open(text), None);
            }
        }
    }
}
