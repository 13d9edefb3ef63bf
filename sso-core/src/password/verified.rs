//! Checking client and application secrets. SHA-256 hashes (the form
//! `gen-secret` prints) are compared at once. Legacy argon2id hashes cost
//! tens of milliseconds, too much for every request of a backend, so once
//! such a secret has verified its SHA-256 is remembered for its owner and
//! later requests compare digests: one argon2id per owner per process.

use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{PasswordError, PasswordHasher};
use crate::domain::MachineSecretHash;

#[derive(Default)]
pub struct VerifiedSecrets {
    digests: RwLock<HashMap<String, [u8; 32]>>,
}

impl VerifiedSecrets {
    /// Whether a legacy secret of `owner` has verified in this process (its
    /// digest is known, so checking it again costs no argon2id).
    pub fn knows(&self, owner: &str) -> bool {
        self.digests
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(owner)
    }

    /// Whether `presented` is the secret of `owner` (a name unique across
    /// clients and applications) whose configured hash is `hash`.
    pub async fn check(
        &self,
        hasher: &PasswordHasher,
        owner: &str,
        hash: &MachineSecretHash,
        presented: &str,
    ) -> Result<bool, PasswordError> {
        let phc = match hash {
            MachineSecretHash::LegacyArgon2id(phc) => phc,
            fast => return Ok(fast.matches_fast(presented).unwrap_or(false)),
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let known = self
            .digests
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(owner)
            .copied();
        if let Some(known) = known {
            return Ok(bool::from(known.ct_eq(&digest)));
        }
        let ok = hasher
            .verify_secret(phc.clone(), presented.to_owned())
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
