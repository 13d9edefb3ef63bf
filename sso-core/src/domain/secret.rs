//! One-time codes, access tokens and session cookie values: 256 random bits
//! from the OS generator, base64url. The store only ever sees [`SecretHash`].

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::FieldError;

/// A secret value handed to a browser or site. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Length of the base64url text of 32 bytes.
    const LEN: usize = 43;

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        // ThreadRng is a CSPRNG (ChaCha12) seeded and reseeded from the OS.
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A secret presented by a caller: anything not shaped like one of ours is
    /// refused before it is hashed or looked up.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::Empty);
        }
        if raw.len() != Self::LEN
            || !raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(FieldError::Malformed("a value issued by this server"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The store key of a secret: SHA-256, truncated to 128 bits, base64url. The
/// secret has 256 bits of entropy, so 128 bits of hash leave no useful
/// preimage or collision attack, and keep every stored session small.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretHash(String);

impl SecretHash {
    fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        Self(URL_SAFE_NO_PAD.encode(&digest[..16]))
    }
    /// The store key of an external SSO token (an ID token's `sub`): not a
    /// secret of ours, hashed so that every key is short and of one length.
    pub fn of_sso_token(token: &str) -> Self {
        Self::of(token)
    }
    /// A hash this server computed earlier and kept (in a store key or a
    /// MAC'd token), so it needs no re-checking.
    pub(crate) fn from_stored(hash: String) -> Self {
        Self(hash)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_parse_and_differ() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a, b);
        assert_eq!(Secret::parse(a.expose()).unwrap(), a);
        assert_ne!(a.hash().as_str(), a.expose());
        assert_eq!(a.hash().as_str().len(), 22);
    }

    #[test]
    fn foreign_values_are_refused() {
        assert!(Secret::parse("abc").is_err());
        assert!(Secret::parse(&"é".repeat(43)).is_err());
        assert!(Secret::parse(&"a".repeat(44)).is_err());
        assert!(!format!("{:?}", Secret::generate()).contains('-'));
    }
}
