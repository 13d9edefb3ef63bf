//! Errors the authorization endpoint sends back to a client once the client
//! and its redirect URI are known to be good (RFC 6749 §4.1.2.1, OpenID
//! Connect Core §3.1.2.6): `error`, `error_description`, `state` and `iss`
//! on the redirect URI. Errors before that are pages of the server.

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("response_type must be `code`")]
    UnsupportedResponseType,
    #[error("{0}")]
    InvalidScope(String),
    #[error("the person is not signed in, or must sign in again, and `prompt=none` forbids a page")]
    LoginRequired,
    #[error(
        "this server asks no consent of its own: the family's clients are registered by its operator"
    )]
    ConsentRequired,
    #[error("request objects (`request`) are not supported")]
    RequestNotSupported,
    #[error("request objects by reference (`request_uri`) are not supported")]
    RequestUriNotSupported,
    #[error("{0}")]
    AccessDenied(String),
    #[error("the session store is unavailable, or too many codes are pending; try again shortly")]
    TemporarilyUnavailable,
    #[error("an internal error occurred")]
    ServerError,
}

impl AuthorizeError {
    /// Every `error` the redirect may carry (the README's table).
    pub const CODES: [&'static str; 10] = [
        "invalid_request",
        "unsupported_response_type",
        "invalid_scope",
        "login_required",
        "consent_required",
        "request_not_supported",
        "request_uri_not_supported",
        "access_denied",
        "temporarily_unavailable",
        "server_error",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::AccessDenied(_) => "access_denied",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }
}

impl From<ApiError> for AuthorizeError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::MissingArgument(_)
            | ApiError::InvalidArgument { .. }
            | ApiError::UnreadableRequest(_) => Self::InvalidRequest(err.to_string()),
            ApiError::EmailNotVerified => Self::AccessDenied(err.to_string()),
            ApiError::StoreUnavailable | ApiError::TooManyCodes(..) | ApiError::RateLimited(_) => {
                Self::TemporarilyUnavailable
            }
            _ => Self::ServerError,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_listed_code() {
        let all = [
            AuthorizeError::InvalidRequest(String::new()),
            AuthorizeError::UnsupportedResponseType,
            AuthorizeError::InvalidScope(String::new()),
            AuthorizeError::LoginRequired,
            AuthorizeError::ConsentRequired,
            AuthorizeError::RequestNotSupported,
            AuthorizeError::RequestUriNotSupported,
            AuthorizeError::AccessDenied(String::new()),
            AuthorizeError::TemporarilyUnavailable,
            AuthorizeError::ServerError,
        ];
        let codes: Vec<_> = all.iter().map(AuthorizeError::code).collect();
        assert_eq!(codes, AuthorizeError::CODES);
    }
}
