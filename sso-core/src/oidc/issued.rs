//! The ID tokens this process signed, by hash, until they expire.
//!
//! A site backend hands its fresh ID token straight back to
//! `session/createwithsso` or `user/linkssotoken` (a `federated` service),
//! often three times in the on-demand flow. A byte-identical copy of a token
//! this process signed needs no signature check: the signature is ours.
//! Checking it costs a P-256 verification, most of such a call's CPU; the
//! lookup costs one SHA-256. Anything not found here (another instance's
//! token, one from before a restart, one that no longer fits) takes the full
//! check, so the set only ever saves work and never accepts more.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Bounds the memory: about 40 bytes an entry.
const CAPACITY: usize = 65_536;

type TokenHash = [u8; 16];

fn hash(token: &str) -> TokenHash {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = [0; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

#[derive(Default)]
pub struct IssuedTokens {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Token hash → expiry (Unix seconds).
    tokens: HashMap<TokenHash, i64>,
    /// When full: the first expiry, before which sweeping frees nothing.
    sweep_at: i64,
}

impl IssuedTokens {
    /// Remembers a token just signed. When full of live tokens, it is not
    /// remembered and will simply be verified by its signature.
    pub fn record(&self, token: &str, expires: i64, now: i64) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.tokens.len() >= CAPACITY && now >= inner.sweep_at {
            inner.tokens.retain(|_, exp| *exp > now);
            inner.sweep_at = inner.tokens.values().copied().min().unwrap_or(now);
        }
        if inner.tokens.len() < CAPACITY {
            inner.tokens.insert(hash(token), expires);
        }
    }

    /// Whether `token` is, byte for byte, one this process signed and not
    /// yet expired.
    pub fn contains(&self, token: &str, now: i64) -> bool {
        let key = hash(token);
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.tokens.get(&key).is_some_and(|exp| *exp > now)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.tokens.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_found_until_it_expires() {
        let issued = IssuedTokens::default();
        issued.record("a.b.c", 100, 0);
        assert!(issued.contains("a.b.c", 99));
        assert!(!issued.contains("a.b.c", 100), "expired");
        assert!(!issued.contains("a.b.d", 0), "another signature");
        assert!(!issued.contains("a.b.c ", 0));
    }

    #[test]
    fn a_full_set_drops_the_expired_and_never_grows_past_its_bound() {
        let issued = IssuedTokens::default();
        for i in 0..CAPACITY {
            issued.record(&i.to_string(), 10 + i64::from(i == 7), 0);
        }
        issued.record("late", 10, 0);
        assert_eq!(issued.len(), CAPACITY);
        assert!(
            !issued.contains("late", 0),
            "not remembered: verified instead"
        );
        // Nothing expires before 10, so inserts until then do not sweep.
        issued.record("later still", 10, 5);
        assert!(!issued.contains("later still", 5));
        // Once the others have expired, there is room again.
        issued.record("later", 100, 10);
        assert!(issued.contains("later", 10));
        assert_eq!(issued.len(), 2, "the one expiring at 11 and the new one");
    }
}
