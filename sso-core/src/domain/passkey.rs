//! Passkeys: the WebAuthn credentials a person signs in with instead of a
//! password, kept in their user record, and the ceremonies that add and
//! use them, kept in the store for a few minutes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::Passkey;

use super::{FieldError, UserId};

/// Passkeys one person may have: enough for every device and a spare key,
/// few enough that a user record stays small.
pub const MAX_PASSKEYS: usize = 10;

/// A passkey of a person, with what they see of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPasskey {
    pub name: PasskeyName,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds of the last sign-in with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<i64>,
    /// The credential: its id, public key, counter and backup flags.
    pub key: Passkey,
}

impl StoredPasskey {
    /// The credential id as the browser spells it (base64url).
    pub fn id(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.cred_id().as_slice())
    }
}

// The credential has no equality of its own: two stored passkeys are the
// same when their id, name, times and counter state serialise the same.
impl PartialEq for StoredPasskey {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.created == other.created
            && self.last_used == other.last_used
            && serde_json::to_value(&self.key).ok() == serde_json::to_value(&other.key).ok()
    }
}

impl Eq for StoredPasskey {}

/// What a person calls a passkey: 1 to 64 characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PasskeyName(String);

impl PasskeyName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong(Self::MAX_CHARS));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::Malformed("a name without control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PasskeyName {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse(&raw)
    }
}

impl From<PasskeyName> for String {
    fn from(name: PasskeyName) -> Self {
        name.0
    }
}

/// A passkey id as a client names it (base64url of the credential id, at
/// most 1,023 bytes of id as WebAuthn allows).
pub fn parse_passkey_id(raw: &str) -> Result<String, FieldError> {
    super::parse_token(
        raw,
        1364,
        |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
        "a passkey id (base64url)",
    )
}

/// What a ceremony in progress is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CeremonyKind {
    /// Adding a passkey to this person's account.
    Register(UserId),
    /// Signing in with any passkey of the family (a discoverable one).
    SignIn,
}

/// A ceremony in progress: the server's half of a challenge, taken once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    pub kind: CeremonyKind,
    /// `webauthn-rs`'s state of the ceremony, serialised (JSON).
    pub state: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passkey_name_is_trimmed_bounded_and_printable() {
        assert_eq!(PasskeyName::parse("  Laptop ").unwrap().as_str(), "Laptop");
        assert_eq!(PasskeyName::parse("   "), Err(FieldError::Empty));
        assert_eq!(
            PasskeyName::parse(&"x".repeat(65)),
            Err(FieldError::TooLong(64))
        );
        assert!(PasskeyName::parse(&"é".repeat(64)).is_ok());
        assert!(PasskeyName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn a_passkey_id_is_base64url() {
        assert!(parse_passkey_id("AbC-_9").is_ok());
        assert!(parse_passkey_id("AbC+/=").is_err());
        assert!(parse_passkey_id("").is_err());
    }
}
