use super::{FieldError, parse_token};

/// The caller's opaque request `state` (the library's transaction id). It is
/// echoed back in the result, so it is restricted to URL-safe characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State(String);

impl State {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() < 8 {
            return Err(if raw.is_empty() {
                FieldError::Empty
            } else {
                FieldError::TooShort(8)
            });
        }
        parse_token(
            raw,
            128,
            |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
            "letters, digits, '_' or '-'",
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_bounds() {
        assert_eq!(State::parse("short"), Err(FieldError::TooShort(8)));
        assert!(State::parse("abcdEFGH_-12").is_ok());
        assert!(State::parse("abcdefgh#").is_err());
        assert_eq!(
            State::parse(&"a".repeat(129)),
            Err(FieldError::TooLong(128))
        );
    }
}
