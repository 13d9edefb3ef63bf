//! A configured `secret_hash` of a client or an application: how machine
//! secrets are written down (see the `machine_secret` service for checking).

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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
        if is_argon2id_phc(text) {
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

/// Whether a configured PHC string is one this server can verify (legacy
/// client and application secret hashes).
pub fn is_argon2id_phc(phc: &str) -> bool {
    phc.starts_with("$argon2id$v=19$") && phc.split('$').count() == 6
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
