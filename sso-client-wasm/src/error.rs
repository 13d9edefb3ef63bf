//! What can go wrong inside the library, with the catalog names sites see
//! in `capture_error` and Promise rejections. Messages are built by
//! concatenation: `core::fmt` would cost kilobytes of wasm.

use alloc::string::String;
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required parameter is absent or empty.
    Missing(&'static str),
    /// A parameter is present but malformed.
    Invalid {
        name: &'static str,
        expected: &'static str,
    },
    /// `set_session`/`end_session` before any `check_session` config.
    NoConfig(&'static str),
    /// No answer within the configured time.
    Timeout(&'static str),
    /// The page cannot create the hidden frame or use the document.
    Browser(&'static str),
}

impl Problem {
    pub fn invalid(name: &'static str, expected: &'static str) -> Self {
        Self::Invalid { name, expected }
    }

    /// The snake_case name, as in the server's error catalog.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Missing(_) => "missing_argument",
            Self::Invalid { .. } => "invalid_argument",
            Self::NoConfig(_) => "no_config",
            Self::Timeout(_) => "timeout",
            Self::Browser(_) => "browser_error",
        }
    }

    pub fn description(&self) -> String {
        let parts: &[&str] = match self {
            Self::Missing(name) => &[name, " is required"],
            Self::Invalid { name, expected } => &[name, " must be ", expected],
            Self::NoConfig(call) => &[call, " needs the config of an earlier check_session call"],
            Self::Timeout(call) => &[call, ": the SSO server did not answer in time"],
            Self::Browser(what) => &["the browser refused to ", what],
        };
        crate::text::cat(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_the_parameter() {
        assert_eq!(
            Problem::Missing("client_id").description(),
            "client_id is required"
        );
        assert_eq!(
            Problem::invalid("sso_server", "an absolute http(s) URL").description(),
            "sso_server must be an absolute http(s) URL"
        );
        assert_eq!(Problem::Timeout("check_session").name(), "timeout");
    }
}
