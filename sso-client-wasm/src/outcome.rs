//! What a result from the server means for the library.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `stat: "ok"`, `status: "success"`.
    Success,
    /// `check`: the browser has no session in the requested segments.
    NoSession,
    /// The browser withheld the SSO cookie from the iframe: retry top-level.
    Blocked,
    /// `stat: "error"` (or anything unrecognised): a catalog error.
    Error,
    /// `set`/`end`: the server changes the session only when the request is
    /// repeated with the token in `result.confirm`.
    Confirm,
}

/// Classifies a result by its `stat` and `result.status`.
pub fn classify(stat: Option<&str>, status: Option<&str>) -> Outcome {
    match (stat, status) {
        (Some("ok"), Some("success")) => Outcome::Success,
        (Some("ok"), Some("no_session")) => Outcome::NoSession,
        (Some("ok"), Some("third_party_cookies_blocked")) => Outcome::Blocked,
        (Some("ok"), Some("confirm")) => Outcome::Confirm,
        _ => Outcome::Error,
    }
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
