//! Values of the application API (`/api/...`): SSO service names, the role
//! tokens that permissions are made of, usernames and API sessions.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{FieldError, UserId, parse_token};

/// An SSO service as named in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(String);

impl ServiceId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        parse_token(
            raw,
            64,
            |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'),
            "letters, digits, '_', '.' or '-'",
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One permission. Roles are named sets of these (configured); every API
/// action requires one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleToken {
    UserCreate,
    UserView,
    UserSsoToken,
    SessionCreate,
    SessionView,
    SessionDelete,
    /// List a user's sessions (browser sign-ins and API sessions).
    UserSessionView,
    /// End one or all of a user's sessions.
    UserSessionEnd,
    /// Lets the role's other actions reach people who registered through the
    /// registration API, not only the application API's own users.
    SsoUsers,
}

impl RoleToken {
    pub const ALL: [RoleToken; 9] = [
        Self::UserCreate,
        Self::UserView,
        Self::UserSsoToken,
        Self::SessionCreate,
        Self::SessionView,
        Self::SessionDelete,
        Self::UserSessionView,
        Self::UserSessionEnd,
        Self::SsoUsers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserCreate => "user-create",
            Self::UserView => "user-view",
            Self::UserSsoToken => "user-sso-token",
            Self::SessionCreate => "session-create",
            Self::SessionView => "session-view",
            Self::SessionDelete => "session-delete",
            Self::UserSessionView => "user-session-view",
            Self::UserSessionEnd => "user-session-end",
            Self::SsoUsers => "sso-users",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// A login name for users created without an email address: lower-case
/// letters, digits, '.', '_' and '-'; never an '@', so it cannot be
/// mistaken for an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let lower = raw.trim().to_ascii_lowercase();
        if !lower.is_empty() && lower.chars().count() < 3 {
            return Err(FieldError::TooShort(3));
        }
        parse_token(
            &lower,
            64,
            |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'),
            "letters, digits, '.', '_' or '-'",
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user session created through the API (`session/createwithsso`); the
/// caller holds its bearer secret, the store its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSession {
    pub user: UserId,
    pub created: i64,
    pub expires: i64,
    /// The application that made it (absent in sessions stored before it
    /// was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_tokens_round_trip_and_unknown_ones_are_none() {
        for t in RoleToken::ALL {
            assert_eq!(RoleToken::parse(t.as_str()), Some(t));
        }
        assert_eq!(RoleToken::parse("admin"), None);
    }

    #[test]
    fn usernames_are_lower_case_and_never_emails() {
        assert_eq!(Username::parse("Ann.B").unwrap().as_str(), "ann.b");
        assert!(Username::parse("ann@example.com").is_err());
        assert_eq!(Username::parse("ab"), Err(FieldError::TooShort(3)));
        assert_eq!(Username::parse(""), Err(FieldError::Empty));
    }
}
