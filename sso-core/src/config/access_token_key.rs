//! `access_token_key`: the one secret that seals access tokens and, derived
//! per purpose, the server's other MACs.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// The key that seals access tokens and derives the confirmation keys.
/// Held in a `secrecy` box: zeroed when dropped, never printed.
#[derive(Clone)]
pub struct AccessTokenKey(SecretSlice<u8>);

impl AccessTokenKey {
    pub const MIN_LEN: usize = 32;

    /// A key from its base64 text (standard or URL alphabet, padded or not).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .or_else(|_| STANDARD.decode(text))
            .map_err(|_| "access_token_key is not base64".to_owned())?;
        if bytes.len() < Self::MIN_LEN {
            return Err(format!(
                "access_token_key must hold at least {} bytes (it holds {})",
                Self::MIN_LEN,
                bytes.len()
            ));
        }
        Ok(Self(bytes.into()))
    }

    /// The key as `access_token_key` is written (base64url).
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.expose_secret())
    }

    /// A fresh random key: tokens then die with the process.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; Self::MIN_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.into())
    }

    /// A 256-bit key for one purpose, derived from this key with HMAC, so
    /// that one configured secret serves several uses independently.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key");
        mac.update(b"sso-server key derivation\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for AccessTokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessTokenKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_base64_of_at_least_32_bytes() {
        let b64 = URL_SAFE_NO_PAD.encode([7u8; 32]);
        assert!(AccessTokenKey::parse(&b64).is_ok());
        assert!(AccessTokenKey::parse(&STANDARD.encode([7u8; 48])).is_ok());
        let short = AccessTokenKey::parse(&URL_SAFE_NO_PAD.encode([7u8; 16])).unwrap_err();
        assert!(short.contains("at least 32 bytes"), "{short}");
        assert!(AccessTokenKey::parse("***").is_err());
        assert_eq!(
            format!("{:?}", AccessTokenKey::generate()),
            "AccessTokenKey(..)"
        );
    }
}
