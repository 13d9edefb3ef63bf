//! Client and application secrets: machine secrets, not passwords. They are
//! generated with 256 bits of entropy (`sso-server gen-secret`), so a fast
//! hash is as good as a slow one against guessing, and checking one costs
//! microseconds instead of an argon2id wait that a flood of wrong secrets
//! could turn against people's sign-ins. Configured as `sha256:<64 hex>`,
//! compared in constant time. Hashes of older configurations (argon2id PHC
//! strings) still load, with a warning, and are verified as before.

use std::net::IpAddr;

use crate::config::RateLimitSettings;
use crate::domain::MachineSecretHash;
use crate::domain::Secret;
use crate::password::{PasswordError, PasswordHasher, VerifiedSecrets};
use crate::rate_limit;
use crate::store::{Store, StoreError};

/// The outcome of checking a presented secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Wrong,
    /// Too many failures from this address or for this owner: try again
    /// after this many seconds.
    Throttled(u64),
}

/// What checking a machine secret works with: the store's failure counters
/// and their limits, the secrets verified before, and the argon2id pool for
/// legacy hashes.
#[derive(Clone, Copy)]
pub struct Checker<'a> {
    pub store: &'a dyn Store,
    pub limits: &'a RateLimitSettings,
    pub secrets: &'a VerifiedSecrets,
    pub hasher: &'a PasswordHasher,
}

/// Why a secret could not be checked (a wrong one is a [`Verdict`]).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// Checks the secret `presented` for `owner` (`client:<id>` or
/// `application:<id>`) from `ip`. A correct SHA-256 secret always passes,
/// so a flood of wrong guesses cannot lock the real backend out; wrong ones
/// are counted, and past the limits answered as throttled. A legacy
/// argon2id hash is not even tried once the limits are spent, which bounds
/// the argon2id work wrong secrets can cause.
pub async fn authenticate(
    checker: Checker<'_>,
    ip: Option<IpAddr>,
    owner: &str,
    hash: &MachineSecretHash,
    presented: &str,
) -> Result<Verdict, CheckError> {
    let Checker {
        store,
        limits,
        secrets,
        hasher,
    } = checker;
    let retry = limits.auth_window.as_secs();
    if hash.is_legacy()
        && !secrets.knows(owner)
        && rate_limit::auth_throttled(store, limits, ip, owner).await?
    {
        return Ok(Verdict::Throttled(retry));
    }
    if secrets.check(hasher, owner, hash, presented).await? {
        return Ok(Verdict::Valid);
    }
    if rate_limit::auth_failed(store, limits, ip, owner).await? {
        return Ok(Verdict::Throttled(retry));
    }
    Ok(Verdict::Wrong)
}

/// Answers to failed client or application authentications wait this long
/// at most this many at a time; past that they are answered at once (the
/// store's counters still throttle them), so waiting answers hold bounded
/// memory.
const PACED_AT_ONCE: usize = 4096;

/// Delays the answer to a failed authentication (`auth_failure_delay_ms`).
/// A flooder's connections then wait instead of making the server spin:
/// with 64 connections and 250 ms that is 256 guesses a second, whatever
/// the flooder's bandwidth, and no CPU is spent while they wait, so
/// people's sign-ins keep theirs.
pub struct FailurePacing {
    delay: std::time::Duration,
    slots: tokio::sync::Semaphore,
}

impl FailurePacing {
    pub fn new(delay: std::time::Duration) -> Self {
        Self {
            delay,
            slots: tokio::sync::Semaphore::new(PACED_AT_ONCE),
        }
    }

    pub async fn pace(&self) {
        if self.delay.is_zero() {
            return;
        }
        if let Ok(_slot) = self.slots.try_acquire() {
            tokio::time::sleep(self.delay).await;
        }
    }
}

/// A new secret (256 random bits, base64url) and its configured hash.
pub fn generate() -> (String, MachineSecretHash) {
    let secret = Secret::generate().expose().to_owned();
    let hash = MachineSecretHash::of(&secret);
    (secret, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_match_their_hash_only() {
        let (secret, hash) = generate();
        assert_eq!(secret.len(), 43, "256 bits, base64url");
        let text = hash.to_string();
        assert!(text.starts_with("sha256:") && text.len() == 71, "{text}");
        let parsed = MachineSecretHash::parse(&text).unwrap();
        assert_eq!(parsed, hash);
        assert_eq!(parsed.matches_fast(&secret), Some(true));
        assert_eq!(parsed.matches_fast("wrong"), Some(false));
        let (other, _) = generate();
        assert_ne!(other, secret);
    }

    #[test]
    fn bad_hashes_are_refused_and_argon2id_is_legacy() {
        for bad in [
            "",
            "sha256:",
            "sha256:zz",
            &format!("sha256:{}", "g".repeat(64)),
            "plain",
        ] {
            assert!(MachineSecretHash::parse(bad).is_err(), "{bad}");
        }
        let phc = "$argon2id$v=19$m=19456,t=2,p=1$ANtpRY422LpccblljRPWYw$CJ/STrO+/+0UQivUT+tKhIMbY7mvklirllUI+dXETT0";
        let legacy = MachineSecretHash::parse(phc).unwrap();
        assert!(legacy.is_legacy());
        assert_eq!(legacy.matches_fast("x"), None);
        assert!(
            !format!("{legacy:?}").contains("argon2id$"),
            "Debug hides the hash"
        );
    }
}
