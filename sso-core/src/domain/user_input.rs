use std::fmt;

use email_address::EmailAddress;
use secrecy::{ExposeSecret, SecretString};

use super::FieldError;

/// An email address as the user typed it, plus the normalised form that
/// makes addresses unique: the domain in its ASCII (IDNA, UTS 46) form, the
/// local part lower-cased. The local part must already be in Unicode NFKC:
/// an address whose characters normalisation would change (the Kelvin sign
/// `\u{212A}` becomes `K`) is refused rather than silently merged with
/// another account's.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::Empty);
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(FieldError::TooLong(Self::MAX));
        }
        if !EmailAddress::is_valid(trimmed) {
            return Err(FieldError::Malformed(
                "an email address such as name@example.com",
            ));
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(FieldError::Malformed(
            "an email address such as name@example.com",
        ))?;
        if !unicode_normalization::is_nfkc(local) {
            return Err(FieldError::Malformed(
                "an address in Unicode normal form NFKC (no compatibility characters such as \
                 the Kelvin sign, which would make it another address)",
            ));
        }
        let domain = idna::domain_to_ascii_strict(domain)
            .map_err(|_| FieldError::Malformed("an address whose domain is a valid IDNA name"))?;
        let local: String =
            unicode_normalization::UnicodeNormalization::nfkc(local.to_lowercase().as_str())
                .collect();
        let normalized = format!("{local}@{domain}");
        // Lower-casing can lengthen a character (`\u{23E}` takes 2 bytes,
        // `\u{2C66}` 3) and IDNA a domain: the normal form must be a valid
        // address too, so that it parses to itself.
        if normalized.chars().count() > Self::MAX || !EmailAddress::is_valid(&normalized) {
            return Err(FieldError::Malformed(
                "an address that stays within the limits once lower-cased and its domain \
                 written in ASCII",
            ));
        }
        Ok(Self {
            display: trimmed.to_owned(),
            normalized,
        })
    }
    pub fn as_str(&self) -> &str {
        &self.display
    }
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// A password in transit. Bounded above so hashing cannot be used to burn CPU;
/// `Debug` never prints it.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.chars().count() {
            0 => Err(FieldError::Empty),
            n if n < Self::MIN => Err(FieldError::TooShort(Self::MIN)),
            n if n > Self::MAX => Err(FieldError::TooLong(Self::MAX)),
            _ => Ok(Self(raw.into())),
        }
    }

    /// A candidate typed at sign-in: only the upper bound applies, so that old
    /// accounts with other rules can still sign in.
    pub fn candidate(raw: &str) -> Result<Self, FieldError> {
        match raw.chars().count() {
            0 => Err(FieldError::Empty),
            n if n > Self::MAX => Err(FieldError::TooLong(Self::MAX)),
            _ => Ok(Self(raw.into())),
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// The name shown for a user: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::Empty);
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(FieldError::TooLong(Self::MAX));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::Malformed("free of control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_unique_case_insensitively() {
        let a = Email::parse("Ann@Example.COM").unwrap();
        assert_eq!(a.normalized(), "ann@example.com");
        assert_eq!(a.as_str(), "Ann@Example.COM");
    }

    #[test]
    /// Defect: `Kelvin\u{212A}@` was lower-cased into `kelvink@`, silently
    /// the same account as another address. Normalisation is explicit now.
    fn email_normal_forms_are_valid_addresses_too() {
        // Found by fuzzing (form_fields): a 64-byte local part whose
        // lower-case form is 66 bytes normalised to an address that did
        // not parse.
        let grows = format!("{}\u{23E}\u{23E}@example.com", "a".repeat(60));
        assert!(
            EmailAddress::is_valid(&grows),
            "64 bytes are a valid local part"
        );
        assert!(
            Email::parse(&grows).is_err(),
            "its lower-case form is 66 bytes"
        );
        for ok in ["Ann@Example.COM", "\u{23E}x@b\u{FC}cher.example"] {
            let email = Email::parse(ok).unwrap();
            assert_eq!(
                Email::parse(email.normalized()).unwrap().normalized(),
                email.normalized()
            );
        }
    }

    #[test]
    fn email_normalisation_is_nfkc_and_idna() {
        let kelvin = Email::parse("kelvin\u{212A}@example.com").unwrap_err();
        assert!(kelvin.to_string().contains("NFKC"), "{kelvin}");
        assert!(Email::parse("ﬁle@example.com").is_err(), "the fi ligature");
        // The domain in its ASCII form, whatever its spelling.
        let idn = Email::parse("Ann@BÜCHER.example").unwrap();
        assert_eq!(idn.normalized(), "ann@xn--bcher-kva.example");
        assert_eq!(
            Email::parse("ann@xn--bcher-kva.example")
                .unwrap()
                .normalized(),
            idn.normalized()
        );
        // Non-ASCII local parts in normal form are kept, lower-cased.
        assert_eq!(
            Email::parse("Åsa@example.com").unwrap().normalized(),
            "åsa@example.com"
        );
        assert!(Email::parse("a@exa mple.com").is_err());
    }

    #[test]
    fn email_rejects_garbage_and_overlong() {
        assert!(Email::parse("not-an-email").is_err());
        assert_eq!(Email::parse("   "), Err(FieldError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(FieldError::TooLong(254)));
    }

    #[test]
    fn password_bounds_and_debug_hides_it() {
        assert_eq!(
            Password::parse("short").err(),
            Some(FieldError::TooShort(8))
        );
        assert_eq!(
            Password::parse(&"x".repeat(1025)).err(),
            Some(FieldError::TooLong(1024))
        );
        let p = Password::parse("correct horse").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn display_name_allows_unicode_not_controls() {
        assert_eq!(
            DisplayName::parse("  Åsa Ölund ").unwrap().as_str(),
            "Åsa Ölund"
        );
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }
}
