//! Errors of `/oauth/token`, shaped as RFC 6749 §5.2 requires so that any
//! OAuth library understands them: `{"error": "...", "error_description":
//! "..."}`, not the registration API's catalog.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;
use sso_core::machine_secret::CheckError;
use sso_core::password::PasswordError;
use sso_core::rate_limit::RateLimitError;
use sso_core::refresh_tokens::RefreshError;
use sso_core::store::StoreError;
use sso_core::tokens::TokenError as CoreTokenError;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    #[error("{0}")]
    InvalidClient(&'static str),
    #[error("too many failed client authentications; try again in {0} seconds")]
    SlowDown(u64),
    #[error("{0}")]
    InvalidGrant(&'static str),
    #[error("{0}")]
    UnauthorizedClient(&'static str),
    #[error("grant_type `{0}` is not supported; use `authorization_code` or `refresh_token`")]
    UnsupportedGrantType(String),
    #[error("the session store is unavailable; try again shortly")]
    TemporarilyUnavailable,
    #[error("an internal error occurred")]
    ServerError,
}

/// The answer's body (RFC 6749 §5.2).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TokenErrorBody {
    #[schema(schema_with = token_error_codes)]
    pub error: &'static str,
    pub error_description: String,
}

fn token_error_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(TokenError::CODES))
        .build()
}

impl TokenError {
    /// Every `error` this endpoint answers with (the README's table).
    pub const CODES: [&'static str; 7] = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "temporarily_unavailable",
        "server_error",
    ];

    /// The RFC 6749 error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) | Self::PayloadTooLarge(_) | Self::RequestTimeout(_) => {
                "invalid_request"
            }
            // RFC 6749 has no code for throttling; the client did fail to
            // authenticate, and the 429 and Retry-After say the rest.
            Self::InvalidClient(_) | Self::SlowDown(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }
}

// The core's errors reach this endpoint's terms through the catalog.
crate::error::via_api_error!(TokenError: StoreError, CheckError, PasswordError, RateLimitError, CoreTokenError);

impl From<RefreshError> for TokenError {
    fn from(err: RefreshError) -> Self {
        match err {
            RefreshError::Invalid(why) => Self::InvalidGrant(why),
            RefreshError::Store(err) => err.into(),
        }
    }
}

/// Failures of shared code (store, code redemption) in this endpoint's terms.
impl From<ApiError> for TokenError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::StoreUnavailable => Self::TemporarilyUnavailable,
            ApiError::InvalidCode => Self::InvalidGrant(
                "the code is unknown, expired, already used, or was issued to another client",
            ),
            ApiError::InvalidArgument { field, problem } => {
                Self::InvalidRequest(format!("`{field}` {problem}"))
            }
            ApiError::MissingArgument(field) => {
                Self::InvalidRequest(format!("`{field}` is missing"))
            }
            _ => Self::ServerError,
        }
    }
}

impl ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            Self::SlowDown(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"));
        match self {
            // RFC 6749 §5.2: a 401 names the scheme the client may use.
            Self::InvalidClient(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"sso\""),
                ));
            }
            Self::TemporarilyUnavailable => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            Self::SlowDown(secs) => {
                response.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            Self::RequestTimeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        response.json(TokenErrorBody {
            error: self.code(),
            error_description: self.to_string(),
        })
    }
}
