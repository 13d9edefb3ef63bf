//! The parts of an OpenID Connect authorization request that are more than
//! a string: how the answer travels, what the person must do, and what the
//! client asks to learn.

use super::FieldError;

/// `response_mode` (OAuth 2.0 Multiple Response Types; Form Post Response
/// Mode): where the code and `state` go on the redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    #[default]
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "query" => Ok(Self::Query),
            "fragment" => Ok(Self::Fragment),
            "form_post" => Ok(Self::FormPost),
            _ => Err(FieldError::Malformed("one of query, fragment, form_post")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
        }
    }
}

/// `prompt`: a space-separated set. `none` stands alone (OpenID Connect
/// Core §3.1.2.1); `create` is Initiating User Registration 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub create: bool,
    pub consent: bool,
    pub select_account: bool,
}

impl Prompt {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut prompt = Self::default();
        for value in raw.split(' ').filter(|v| !v.is_empty()) {
            let flag = match value {
                "none" => &mut prompt.none,
                "login" => &mut prompt.login,
                "create" => &mut prompt.create,
                "consent" => &mut prompt.consent,
                "select_account" => &mut prompt.select_account,
                _ => {
                    return Err(FieldError::Malformed(
                        "space-separated values of none, login, create, consent, select_account",
                    ));
                }
            };
            *flag = true;
        }
        if prompt.none && prompt != Self::only_none() {
            return Err(FieldError::Malformed("`none` alone, without other values"));
        }
        Ok(prompt)
    }

    fn only_none() -> Self {
        Self {
            none: true,
            ..Self::default()
        }
    }

    /// The person must prove who they are again, even when signed in.
    pub fn forces_sign_in(self) -> bool {
        self.login || self.select_account
    }
}

/// `scope`: `openid` is required; scope values this server does not know
/// are ignored, as OpenID Connect Core §3.1.2.1 says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub email: bool,
    pub profile: bool,
    pub offline_access: bool,
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let values: Vec<&str> = raw.split(' ').filter(|v| !v.is_empty()).collect();
        if values.len() > 32 {
            return Err(ScopeError::TooMany(32));
        }
        if !values.contains(&"openid") {
            return Err(ScopeError::NoOpenId);
        }
        Ok(Self {
            email: values.contains(&"email"),
            profile: values.contains(&"profile"),
            offline_access: values.contains(&"offline_access"),
        })
    }
}

/// Why a `scope` was refused (`invalid_scope`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("`scope` must contain `openid`")]
    NoOpenId,
    #[error("`scope` has more than {0} values")]
    TooMany(usize),
}

/// `max_age`: the longest time in seconds since the person last proved
/// who they are.
pub fn parse_max_age(raw: &str) -> Result<i64, FieldError> {
    if raw.is_empty() || raw.len() > 10 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::Malformed("a whole number of seconds"));
    }
    raw.parse::<u32>()
        .map(i64::from)
        .map_err(|_| FieldError::Malformed("a whole number of seconds below 2^32"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_none_stands_alone() {
        assert!(Prompt::parse("none").unwrap().none);
        assert!(Prompt::parse("none login").is_err());
        let p = Prompt::parse("login consent").unwrap();
        assert!(p.login && p.consent && !p.none);
        assert!(Prompt::parse("bogus").is_err());
    }

    #[test]
    fn scope_needs_openid_and_ignores_the_unknown() {
        assert_eq!(Scope::parse("email profile"), Err(ScopeError::NoOpenId));
        let s = Scope::parse("openid email custom").unwrap();
        assert!(s.email && !s.profile && !s.offline_access);
        assert!(Scope::parse(&"x ".repeat(40)).is_err());
    }

    #[test]
    fn max_age_is_a_bounded_number() {
        assert_eq!(parse_max_age("0"), Ok(0));
        assert_eq!(parse_max_age("3600"), Ok(3600));
        assert!(parse_max_age("-1").is_err());
        assert!(parse_max_age("1e3").is_err());
        assert!(parse_max_age("99999999999").is_err());
    }

    #[test]
    fn response_modes() {
        assert_eq!(ResponseMode::parse("form_post"), Ok(ResponseMode::FormPost));
        assert!(ResponseMode::parse("web_message").is_err());
    }
}
