//! Every answer of `/api/...` is an envelope,
//! `{"header":{"status":<int>,"statusmessage":"<NAME>","message":"…"},"body":…}`,
//! with the HTTP status that fits. [`ApiStatus::ALL`] is the README's table
//! (a test checks it).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::telemetry;
use sso_core::machine_secret::CheckError;
use sso_core::password::PasswordError;
use sso_core::rate_limit::RateLimitError;
use sso_core::store::StoreError;
use sso_core::tokens::TokenError as CoreTokenError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiStatus {
    Ok,
    InternalError,
    StoreUnavailable,
    ActionUnknown,
    MethodNotAllowed,
    BadRequest,
    PayloadTooLarge,
    RequestTimeout,
    AuthenticationFailed,
    NotAllowed,
    RateLimited,
    MissingParameter,
    InvalidParameter,
    UserNotFound,
    UserExists,
    RoleUnknown,
    SsoServiceUnknown,
    SsoResponseInvalid,
    SsoTokenUnknown,
    SsoTokenAlreadyLinked,
    SsoTokenAlreadySet,
    SessionNotFound,
}

impl ApiStatus {
    pub const ALL: [ApiStatus; 22] = [
        Self::Ok,
        Self::InternalError,
        Self::StoreUnavailable,
        Self::ActionUnknown,
        Self::MethodNotAllowed,
        Self::BadRequest,
        Self::PayloadTooLarge,
        Self::RequestTimeout,
        Self::AuthenticationFailed,
        Self::NotAllowed,
        Self::RateLimited,
        Self::MissingParameter,
        Self::InvalidParameter,
        Self::UserNotFound,
        Self::UserExists,
        Self::RoleUnknown,
        Self::SsoServiceUnknown,
        Self::SsoResponseInvalid,
        Self::SsoTokenUnknown,
        Self::SsoTokenAlreadyLinked,
        Self::SsoTokenAlreadySet,
        Self::SessionNotFound,
    ];

    /// `(status, NAME, HTTP status)`.
    pub fn identity(self) -> (u16, &'static str, StatusCode) {
        use StatusCode as S;
        match self {
            Self::Ok => (0, "OK", S::OK),
            Self::InternalError => (1, "INTERNAL_ERROR", S::INTERNAL_SERVER_ERROR),
            Self::StoreUnavailable => (2, "STORE_UNAVAILABLE", S::SERVICE_UNAVAILABLE),
            Self::ActionUnknown => (3, "ACTION_UNKNOWN", S::NOT_FOUND),
            Self::MethodNotAllowed => (4, "METHOD_NOT_ALLOWED", S::METHOD_NOT_ALLOWED),
            Self::BadRequest => (5, "BAD_REQUEST", S::BAD_REQUEST),
            Self::PayloadTooLarge => (6, "PAYLOAD_TOO_LARGE", S::PAYLOAD_TOO_LARGE),
            Self::RequestTimeout => (7, "REQUEST_TIMEOUT", S::REQUEST_TIMEOUT),
            Self::AuthenticationFailed => (10, "AUTHENTICATION_FAILED", S::UNAUTHORIZED),
            Self::NotAllowed => (11, "NOT_ALLOWED", S::FORBIDDEN),
            Self::RateLimited => (12, "RATE_LIMITED", S::TOO_MANY_REQUESTS),
            Self::MissingParameter => (20, "MISSING_PARAMETER", S::BAD_REQUEST),
            Self::InvalidParameter => (21, "INVALID_PARAMETER", S::BAD_REQUEST),
            Self::UserNotFound => (30, "USER_NOT_FOUND", S::NOT_FOUND),
            Self::UserExists => (31, "USER_EXISTS", S::CONFLICT),
            Self::RoleUnknown => (32, "ROLE_UNKNOWN", S::BAD_REQUEST),
            Self::SsoServiceUnknown => (40, "SSO_SERVICE_UNKNOWN", S::BAD_REQUEST),
            Self::SsoResponseInvalid => (41, "SSO_RESPONSE_INVALID", S::BAD_REQUEST),
            Self::SsoTokenUnknown => (42, "SSO_TOKEN_UNKNOWN", S::NOT_FOUND),
            Self::SsoTokenAlreadyLinked => (43, "SSO_TOKEN_ALREADY_LINKED", S::CONFLICT),
            Self::SsoTokenAlreadySet => (44, "SSO_TOKEN_ALREADY_SET", S::CONFLICT),
            Self::SessionNotFound => (50, "SESSION_NOT_FOUND", S::NOT_FOUND),
        }
    }
}

/// A refused action: its status and a message that says what was wrong.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiFailure {
    pub status: ApiStatus,
    pub message: String,
}

impl ApiFailure {
    pub fn new(status: ApiStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

crate::error::via_api_error!(ApiFailure: StoreError, CheckError, PasswordError, RateLimitError, CoreTokenError);

/// Shared parsing and store errors, in this API's terms.
impl From<ApiError> for ApiFailure {
    fn from(err: ApiError) -> Self {
        let status = match &err {
            ApiError::MissingArgument(_) => ApiStatus::MissingParameter,
            ApiError::InvalidArgument { .. } => ApiStatus::InvalidParameter,
            ApiError::StoreUnavailable => ApiStatus::StoreUnavailable,
            ApiError::RateLimited(_) => ApiStatus::RateLimited,
            ApiError::RequestTimeout(_) => ApiStatus::RequestTimeout,
            _ => ApiStatus::InternalError,
        };
        Self::new(status, err.to_string())
    }
}

fn envelope(status: ApiStatus, message: &str, body: Value) -> HttpResponse {
    let (code, name, http) = status.identity();
    let mut response = HttpResponse::build(http);
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if status == ApiStatus::RequestTimeout {
        response.force_close();
    }
    if status == ApiStatus::StoreUnavailable {
        response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
    }
    if status == ApiStatus::AuthenticationFailed {
        response.insert_header((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sso-api\", Bearer"),
        ));
    }
    response.json(Envelope {
        header: EnvelopeHeader {
            status: code,
            statusmessage: name,
            message,
            request_id: telemetry::current_request_id(),
        },
        body,
    })
}

#[derive(Serialize)]
struct Envelope<'a> {
    header: EnvelopeHeader<'a>,
    body: Value,
}

/// The header of every application API answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnvelopeHeader<'a> {
    /// The status number (README, "the application API").
    #[schema(schema_with = status_codes)]
    pub status: u16,
    /// The status name.
    #[schema(schema_with = status_names)]
    pub statusmessage: &'static str,
    /// What went wrong, naming the parameter or the missing role token;
    /// empty on success.
    pub message: &'a str,
    /// The request's id, also in the server's log.
    pub request_id: String,
}

fn status_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .enum_values(Some(ApiStatus::ALL.map(|s| s.identity().0)))
        .build()
}

fn status_names() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(ApiStatus::ALL.map(|s| s.identity().1)))
        .build()
}

/// A successful answer.
pub fn ok(body: Value) -> HttpResponse {
    envelope(ApiStatus::Ok, "", body)
}

impl ResponseError for ApiFailure {
    fn status_code(&self) -> StatusCode {
        self.status.identity().2
    }
    fn error_response(&self) -> HttpResponse {
        envelope(self.status, &self.message, Value::Null)
    }
}
