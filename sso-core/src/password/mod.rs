//! Password hashing: argon2id at the OWASP parameters, on the blocking pool
//! (never on the async executor), with a bound on concurrent hashes so a
//! burst of sign-ins cannot exhaust memory (each hash takes 19 MiB).

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

use crate::domain::Password;

mod argon2id;
mod verified;

pub use verified::VerifiedSecrets;

/// Why a hash or a check did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password hashing pool is closed")]
    Closed,
    #[error("the password hashing task failed")]
    Task,
}

fn hash_blocking(password: &str) -> String {
    argon2id::hash(password.as_bytes())
}

/// Verifying against this when the account does not exist makes a sign-in
/// for an unknown email take as long as one for a known email.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not a real password"));

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new() -> Self {
        // One hash per core: more in flight only makes them share caches
        // and memory bandwidth, and each holds 19 MiB.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Closed)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|_| PasswordError::Task)
    }

    pub async fn hash(&self, password: Password) -> Result<String, PasswordError> {
        self.run(move || hash_blocking(password.expose())).await
    }

    /// `true` when `candidate` matches `stored`; with no stored hash, spends
    /// the same time and answers `false`.
    pub async fn verify(
        &self,
        stored: Option<String>,
        candidate: Password,
    ) -> Result<bool, PasswordError> {
        crate::metrics::global().password_verifications.inc();
        self.run(move || {
            let phc = stored.as_deref().unwrap_or(DUMMY_HASH.as_str());
            argon2id::verify(phc, candidate.expose().as_bytes()) && stored.is_some()
        })
        .await
    }
}

impl PasswordHasher {
    /// Whether `candidate` matches the configured PHC string of a secret.
    pub async fn verify_secret(
        &self,
        stored: String,
        candidate: String,
    ) -> Result<bool, PasswordError> {
        self.run(move || argon2id::verify(&stored, candidate.as_bytes()))
            .await
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_owasp_and_verify() {
        let hasher = PasswordHasher::new();
        let pw = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(pw.clone()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher.verify(Some(hash.clone()), pw).await.unwrap());
        let wrong = Password::candidate("wrong horse").unwrap();
        assert!(!hasher.verify(Some(hash), wrong.clone()).await.unwrap());
        assert!(!hasher.verify(None, wrong).await.unwrap());
    }
}
