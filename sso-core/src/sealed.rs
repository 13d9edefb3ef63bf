//! The sealed envelope of access tokens and authorization codes:
//! `version ‖ nonce (12) ‖ AES-256-GCM-SIV(payload) ‖ tag (16)` in
//! base64url, the version byte being the associated data. Sealed rather than
//! only MAC'd, so the text says nothing to whoever holds it; GCM-SIV keeps
//! its guarantees even if a random nonce ever repeats.
//!
//! The nonce comes from the thread's CSPRNG (rand's ChaCha, seeded by the
//! OS) rather than aws-lc's `RAND_bytes`: that one asked the CPU's `RDRAND`
//! on every seal, 3 % of a check's CPU under `make profile`.

use aws_lc_rs::aead::{AES_256_GCM_SIV, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::AccessTokenKey;

const TAG_LEN: usize = 16;

/// Seals and opens payloads of one kind (one derived key, one version).
pub struct Sealer {
    key: LessSafeKey,
    version: u8,
    /// Texts longer than this are refused unread.
    max_text_len: usize,
}

impl Sealer {
    /// A sealer under the key derived from `key` for `purpose`.
    pub fn new(key: &AccessTokenKey, purpose: &str, version: u8, max_text_len: usize) -> Self {
        let bytes = key.derive(purpose);
        Self {
            key: LessSafeKey::new(
                UnboundKey::new(&AES_256_GCM_SIV, &bytes)
                    .expect("a 256-bit key fits AES-256-GCM-SIV"),
            ),
            version,
            max_text_len,
        }
    }

    /// `payload` sealed, as text.
    pub fn seal(&self, mut payload: Vec<u8>) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from([self.version]),
                &mut payload,
            )
            .expect("sealing a short payload cannot fail");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + payload.len());
        sealed.push(self.version);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&payload);
        URL_SAFE_NO_PAD.encode(sealed)
    }

    /// The payload of a text this sealer sealed, or `None` for anything
    /// else (too long, malformed, tampered, of another version or key).
    pub fn open(&self, text: &str) -> Option<Vec<u8>> {
        if text.len() > self.max_text_len {
            return None;
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let (&version, rest) = bytes.split_first()?;
        if version != self.version || rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let nonce = Nonce::try_assume_unique_for_key(&rest[..NONCE_LEN]).ok()?;
        let payload_len = self
            .key
            .open_in_place(
                nonce,
                Aad::from([self.version]),
                &mut bytes[1 + NONCE_LEN..],
            )
            .ok()?
            .len();
        bytes.drain(..1 + NONCE_LEN);
        bytes.truncate(payload_len);
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_one_sealer_seals_only_it_opens() {
        let key = AccessTokenKey::generate();
        let a = Sealer::new(&key, "a", 1, 256);
        let text = a.seal(b"payload".to_vec());
        assert_eq!(a.open(&text).as_deref(), Some(&b"payload"[..]));
        assert_ne!(a.seal(b"payload".to_vec()), text, "a fresh nonce each time");
        assert_eq!(
            Sealer::new(&key, "b", 1, 256).open(&text),
            None,
            "another purpose"
        );
        assert_eq!(
            Sealer::new(&key, "a", 2, 256).open(&text),
            None,
            "another version"
        );
        assert_eq!(Sealer::new(&key, "a", 1, 8).open(&text), None, "too long");
        let mut tampered = text.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(a.open(std::str::from_utf8(&tampered).unwrap()), None);
    }
}
