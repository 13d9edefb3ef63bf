//! What a result from the server means for the library.

pub use sso_protocol::Outcome;

/// Classifies a result by its `stat` and `result.status`.
pub fn classify(stat: Option<&str>, status: Option<&str>) -> Outcome {
    Outcome::of(stat, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_classified() {
        assert_eq!(classify(Some("ok"), Some("success")), Outcome::Success);
        assert_eq!(classify(Some("ok"), Some("no_session")), Outcome::NoSession);
        assert_eq!(
            classify(Some("ok"), Some("third_party_cookies_blocked")),
            Outcome::Blocked
        );
        assert_eq!(classify(Some("ok"), Some("confirm")), Outcome::Confirm);
        assert_eq!(classify(Some("error"), None), Outcome::Error);
        assert_eq!(classify(Some("ok"), Some("surprise")), Outcome::Error);
        assert_eq!(classify(None, None), Outcome::Error);
    }
}
