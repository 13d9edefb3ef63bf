//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` would put the
//! verifier itself in the browser's URL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::FieldError;

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// `BASE64URL(SHA256(code_verifier))`, sent with the request for a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::Empty);
        }
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok();
        if raw.len() != 43 || decoded.is_none_or(|d| d.len() != 32) {
            return Err(FieldError::Malformed(
                "the 43-character base64url SHA-256 of the code_verifier",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// `code_challenge_method`: S256 is the only one offered, and it must be
    /// named (RFC 7636 makes an absent method mean `plain`).
    pub fn parse_method(raw: &str) -> Result<(), FieldError> {
        match raw {
            "S256" => Ok(()),
            "" => Err(FieldError::Empty),
            _ => Err(FieldError::Malformed("`S256`")),
        }
    }

    pub fn is_met_by(&self, verifier: &CodeVerifier) -> bool {
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.0.as_bytes())) == self.0
    }
}

/// The secret the token request repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() < 43 {
            return Err(FieldError::TooShort(43));
        }
        super::parse_token(
            raw,
            128,
            unreserved,
            "letters, digits, '-', '.', '_' or '~'",
        )
        .map(Self)
    }
}

/// The OpenID Connect `nonce`, returned unchanged in the ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Nonce(String);

impl Nonce {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        super::parse_token(raw, 255, |c| c.is_ascii_graphic(), "printable ASCII").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_pair_matches() {
        // RFC 7636, appendix B.
        let verifier = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let challenge =
            CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert!(challenge.is_met_by(&verifier));
        let other = CodeVerifier::parse(&"a".repeat(43)).unwrap();
        assert!(!challenge.is_met_by(&other));
    }

    #[test]
    fn malformed_values_are_refused() {
        assert!(CodeChallenge::parse("short").is_err());
        assert!(CodeChallenge::parse(&"*".repeat(43)).is_err());
        assert!(CodeVerifier::parse("too-short").is_err());
        assert!(CodeVerifier::parse(&"a".repeat(129)).is_err());
        assert!(CodeVerifier::parse(&format!("{}+", "a".repeat(43))).is_err());
        assert!(CodeChallenge::parse_method("plain").is_err());
        assert!(Nonce::parse("a b").is_err());
        assert!(Nonce::parse(&"n".repeat(256)).is_err());
    }
}
