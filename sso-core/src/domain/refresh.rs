//! Refresh tokens (RFC 6749 §6), rotated at every use (RFC 9700 §4.14).
//!
//! A client holds `<family>.<secret>`. The family names a chain: one record
//! in the store, keyed by the family, holding the hash of the chain's one
//! current secret, its client, when the chain must end, and what the code
//! redemption that began it granted. Redeeming replaces the current hash;
//! presenting an earlier secret of the chain (a stolen copy, or the
//! legitimate one after the thief used it) ends the chain.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{ClientId, Grant, Secret, SecretHash};

/// A chain's name: 16 random bytes, base64url (22 characters), so that it
/// may be a Redis hash tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefreshFamily(String);

impl RefreshFamily {
    const LEN: usize = 22;

    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A refresh token as presented, taken apart; `None` for anything not
/// shaped like one of ours.
pub fn parse_refresh_token(raw: &str) -> Option<(RefreshFamily, Secret)> {
    let (family, secret) = raw.split_once('.')?;
    let shaped = family.len() == RefreshFamily::LEN
        && family
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shaped {
        return None;
    }
    Some((
        RefreshFamily(family.to_owned()),
        Secret::parse(secret).ok()?,
    ))
}

/// The text a client holds.
pub fn refresh_token_text(family: &RefreshFamily, secret: &Secret) -> String {
    format!("{}.{}", family.as_str(), secret.expose())
}

/// A chain, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// The hash of the one secret that may be redeemed now.
    pub current: SecretHash,
    pub client: ClientId,
    /// Unix ms past which no token of the chain is good.
    pub ends_ms: i64,
    /// Unix ms of the redemption that began the chain: a person's "sign out
    /// everywhere" after it ends the chain.
    pub issued_ms: i64,
    /// What the redeemed code granted (its one-time parts cleared).
    pub grant: Grant,
}

/// What presenting a secret of a chain did.
#[derive(Debug)]
pub enum Rotation {
    /// It was the current one: now the next one is, and this is the chain.
    Rotated(Box<RefreshRecord>),
    /// An earlier one: the chain is ended.
    Reused,
    /// The chain is another client's: nothing changed.
    OtherClient,
    /// No such chain (never, expired, or ended).
    Gone,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_parses_back_and_anything_else_does_not() {
        let family = RefreshFamily::generate();
        let secret = Secret::generate();
        let text = refresh_token_text(&family, &secret);
        let (f, s) = parse_refresh_token(&text).unwrap();
        assert_eq!(f, family);
        assert_eq!(s.hash(), secret.hash());
        for bad in [
            "",
            ".",
            "abc",
            &text[1..],
            &format!("{text}x"),
            &text.replace('.', ""),
        ] {
            assert!(parse_refresh_token(bad).is_none(), "{bad}");
        }
        let braces = format!("{{{}}}.{}", &family.as_str()[2..], secret.expose());
        assert!(parse_refresh_token(&braces).is_none());
    }
}
