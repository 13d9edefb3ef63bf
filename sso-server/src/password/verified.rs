//! Secrets of clients and applications are configured as argon2id hashes.
//! Verifying one costs tens of milliseconds, too much for every request of a
//! backend, so once a secret has verified its SHA-256 is remembered for its
//! owner and later requests compare digests: one argon2id per owner per
//! process, and wrong secrets after that cost none either.

use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest, Sha256};

use super::PasswordHasher;
use crate::error::ApiError;

#[derive(Default)]
pub struct VerifiedSecrets {
    digests: RwLock<HashMap<String, [u8; 32]>>,
}

impl VerifiedSecrets {
    /// Whether `presented` is the secret of `owner` (a name unique across
    /// clients and applications) whose configured hash is `phc`.
    pub async fn check(
        &self,
        hasher: &PasswordHasher,
        owner: &str,
        phc: &str,
        presented: &str,
    ) -> Result<bool, ApiError> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let known = self
            .digests
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(owner)
            .copied();
        if let Some(known) = known {
            return Ok(known == digest);
        }
        let ok = hasher
            .verify_secret(phc.to_owned(), presented.to_owned())
            .await?;
        if ok {
            self.digests
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(owner.to_owned(), digest);
        }
        Ok(ok)
    }
}
