//! Client and application secrets: machine secrets, not passwords. They are
//! generated with 256 bits of entropy (`sso-server gen-secret`), so a fast
//! hash is as good as a slow one against guessing, and checking one costs
//! microseconds instead of an argon2id wait that a flood of wrong secrets
//! could turn against people's sign-ins. Configured as `sha256:<64 hex>`,
//! compared in constant time. Hashes of older configurations (argon2id PHC
//! strings) still load, with a warning, and are verified as before.

use std::net::IpAddr;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::rate_limit;
use crate::secrets::Secret;
use crate::startup::AppState;

const PREFIX: &str = "sha256:";

/// A configured `secret_hash`.
#[derive(Clone, PartialEq, Eq)]
pub enum MachineSecretHash {
    Sha256([u8; 32]),
    /// An argon2id PHC string, from configurations written before secrets
    /// were hashed with SHA-256.
    LegacyArgon2id(String),
}

impl std::fmt::Debug for MachineSecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sha256(_) => "MachineSecretHash::Sha256(..)",
            Self::LegacyArgon2id(_) => "MachineSecretHash::LegacyArgon2id(..)",
        })
    }
}

impl MachineSecretHash {
    /// `sha256:<64 hex digits>`, or an argon2id PHC string.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(hex) = text.strip_prefix(PREFIX) {
            return decode_hex(hex).map(Self::Sha256).ok_or_else(|| {
                "a sha256: secret_hash must be followed by 64 hex digits".to_owned()
            });
        }
        if crate::password::is_argon2id_phc(text) {
            return Ok(Self::LegacyArgon2id(text.to_owned()));
        }
        Err(
            "secret_hash must be `sha256:<64 hex digits>` (`sso-server gen-secret` prints a \
             secret and its hash)"
                .to_owned(),
        )
    }

    /// The hash of a secret as the configuration writes it.
    pub fn of(secret: &str) -> Self {
        Self::Sha256(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn is_legacy(&self) -> bool {
        matches!(self, Self::LegacyArgon2id(_))
    }

    /// Whether `presented` hashes to this SHA-256 hash, in time independent
    /// of where they differ. `None` for a legacy hash (argon2id verifies it).
    pub fn matches_fast(&self, presented: &str) -> Option<bool> {
        match self {
            Self::Sha256(expected) => {
                let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
                Some(bool::from(digest.ct_eq(expected)))
            }
            Self::LegacyArgon2id(_) => None,
        }
    }
}

impl std::fmt::Display for MachineSecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sha256(digest) => {
                f.write_str(PREFIX)?;
                digest.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Self::LegacyArgon2id(phc) => f.write_str(phc),
        }
    }
}

/// The outcome of checking a presented secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Wrong,
    /// Too many failures from this address or for this owner: try again
    /// after this many seconds.
    Throttled(u64),
}

/// Checks the secret `presented` for `owner` (`client:<id>` or
/// `application:<id>`) from `ip`. A correct SHA-256 secret always passes,
/// so a flood of wrong guesses cannot lock the real backend out; wrong ones
/// are counted, and past the limits answered as throttled. A legacy
/// argon2id hash is not even tried once the limits are spent, which bounds
/// the argon2id work wrong secrets can cause.
pub async fn authenticate(
    state: &AppState,
    ip: Option<IpAddr>,
    owner: &str,
    hash: &MachineSecretHash,
    presented: &str,
) -> Result<Verdict, ApiError> {
    let store = state.store.as_ref();
    let limits = &state.settings.rate_limit;
    let retry = limits.auth_window.as_secs();
    if hash.is_legacy()
        && !state.secrets.knows(owner)
        && rate_limit::auth_throttled(store, limits, ip, owner).await?
    {
        return Ok(Verdict::Throttled(retry));
    }
    if state
        .secrets
        .check(&state.hasher, owner, hash, presented)
        .await?
    {
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

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
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
