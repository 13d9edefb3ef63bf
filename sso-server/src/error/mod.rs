//! The one error catalog of the public API. Every error a client can see has a
//! stable numeric `code`, a snake_case `error` name and an HTTP status; the
//! README's error catalog lists exactly [`ErrorKind::ALL`] (a test checks it).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;

use crate::telemetry;

mod conversions;
pub(crate) use conversions::via_api_error;
use sso_core::domain::FieldError;

/// Catalog entries, without the per-occurrence details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    MissingArgument,
    InvalidArgument,
    UnknownClient,
    UnknownFlow,
    UnknownFlowVersion,
    UnknownLocale,
    UrlNotRegistered,
    OriginNotAllowed,
    SegmentNotAllowed,
    InvalidCredentials,
    EmailAddressInUse,
    InvalidCode,
    TooManyCodes,
    ConfirmationInvalid,
    LinkInvalid,
    EmailNotVerified,
    PasskeyRefused,
    PasskeyNotFound,
    PasskeyConflict,
    AccessTokenInvalid,
    SessionNotFound,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    RequestTimeout,
    RateLimited,
    StoreUnavailable,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 28] = [
        Self::MissingArgument,
        Self::InvalidArgument,
        Self::UnknownClient,
        Self::UnknownFlow,
        Self::UnknownFlowVersion,
        Self::UnknownLocale,
        Self::UrlNotRegistered,
        Self::OriginNotAllowed,
        Self::SegmentNotAllowed,
        Self::InvalidCredentials,
        Self::EmailAddressInUse,
        Self::InvalidCode,
        Self::TooManyCodes,
        Self::ConfirmationInvalid,
        Self::LinkInvalid,
        Self::EmailNotVerified,
        Self::PasskeyRefused,
        Self::PasskeyNotFound,
        Self::PasskeyConflict,
        Self::AccessTokenInvalid,
        Self::SessionNotFound,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::PayloadTooLarge,
        Self::RequestTimeout,
        Self::RateLimited,
        Self::StoreUnavailable,
        Self::Internal,
    ];

    /// `(code, name, HTTP status)` — the stable public identity of the error.
    pub fn identity(self) -> (u16, &'static str, StatusCode) {
        use StatusCode as S;
        match self {
            Self::MissingArgument => (100, "missing_argument", S::BAD_REQUEST),
            Self::InvalidArgument => (200, "invalid_argument", S::BAD_REQUEST),
            Self::UnknownClient => (210, "unknown_client", S::BAD_REQUEST),
            Self::UnknownFlow => (211, "unknown_flow", S::BAD_REQUEST),
            Self::UnknownFlowVersion => (212, "unknown_flow_version", S::BAD_REQUEST),
            Self::UnknownLocale => (213, "unknown_locale", S::BAD_REQUEST),
            Self::UrlNotRegistered => (220, "url_not_registered", S::BAD_REQUEST),
            Self::OriginNotAllowed => (221, "origin_not_allowed", S::FORBIDDEN),
            Self::SegmentNotAllowed => (230, "segment_not_allowed", S::FORBIDDEN),
            Self::InvalidCredentials => (310, "invalid_credentials", S::UNAUTHORIZED),
            Self::EmailAddressInUse => (320, "email_address_in_use", S::CONFLICT),
            Self::InvalidCode => (330, "invalid_code", S::BAD_REQUEST),
            Self::TooManyCodes => (331, "too_many_codes", S::TOO_MANY_REQUESTS),
            Self::ConfirmationInvalid => (332, "confirmation_invalid", S::FORBIDDEN),
            Self::LinkInvalid => (333, "link_invalid", S::BAD_REQUEST),
            Self::EmailNotVerified => (334, "email_not_verified", S::FORBIDDEN),
            Self::PasskeyRefused => (350, "passkey_refused", S::UNAUTHORIZED),
            Self::PasskeyNotFound => (351, "passkey_not_found", S::NOT_FOUND),
            Self::PasskeyConflict => (352, "passkey_conflict", S::CONFLICT),
            Self::AccessTokenInvalid => (340, "access_token_invalid", S::UNAUTHORIZED),
            Self::SessionNotFound => (341, "session_not_found", S::NOT_FOUND),
            Self::NotFound => (404, "not_found", S::NOT_FOUND),
            Self::MethodNotAllowed => (405, "method_not_allowed", S::METHOD_NOT_ALLOWED),
            Self::PayloadTooLarge => (413, "payload_too_large", S::PAYLOAD_TOO_LARGE),
            Self::RequestTimeout => (408, "request_timeout", S::REQUEST_TIMEOUT),
            Self::RateLimited => (429, "rate_limited", S::TOO_MANY_REQUESTS),
            Self::StoreUnavailable => (503, "store_unavailable", S::SERVICE_UNAVAILABLE),
            Self::Internal => (500, "internal_error", S::INTERNAL_SERVER_ERROR),
        }
    }
}

/// An error as returned to a caller, with the details of this occurrence.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("required argument `{0}` is missing")]
    MissingArgument(&'static str),
    #[error("argument `{field}` {problem}")]
    InvalidArgument {
        field: &'static str,
        problem: FieldError,
    },
    #[error("the request could not be read: {0}")]
    UnreadableRequest(String),
    #[error("client_id `{0}` is not a registered client")]
    UnknownClient(String),
    #[error("flow `{0}` is not configured for this client")]
    UnknownFlow(String),
    #[error("flow_version `{0}` is not a version of this flow")]
    UnknownFlowVersion(String),
    #[error("locale `{0}` is not offered by this flow")]
    UnknownLocale(String),
    #[error("`{0}` is not registered for this client (URLs must match a registered one exactly)")]
    UrlNotRegistered(&'static str),
    #[error("origin `{0}` is not registered for this client")]
    OriginNotAllowed(String),
    #[error("segment `{0}` is not allowed for this client")]
    SegmentNotAllowed(String),
    #[error("the email address or password is wrong")]
    InvalidCredentials,
    #[error("an account with this email address already exists")]
    EmailAddressInUse,
    #[error("the code is unknown, expired, already used, or was issued to another client")]
    InvalidCode,
    #[error("too many unredeemed codes for this {0}; try again in {1} seconds")]
    TooManyCodes(&'static str, u64),
    #[error(
        "this {0} was not started by the site's own library in this browser, or its \
         confirmation expired; nothing was changed"
    )]
    ConfirmationInvalid(&'static str),
    #[error("the link is unknown, expired or already used; ask for a new one")]
    LinkInvalid,
    #[error(
        "this site admits only people who confirmed their email address: follow the link mailed to it, then sign in again"
    )]
    EmailNotVerified,
    /// The core's sentence: which check failed (never which account).
    #[error("{0}")]
    PasskeyRefused(String),
    #[error("the account has no passkey with this id")]
    PasskeyNotFound,
    #[error("{0}")]
    PasskeyConflict(String),
    #[error("the access token is missing, unknown or expired")]
    AccessTokenInvalid,
    #[error("no session `{0}` among this person's sessions")]
    SessionNotFound(String),
    #[error("no such endpoint")]
    NotFound,
    #[error(
        "this server serves no browser library: set `assets_dir` (`make build` writes target/sso-client)"
    )]
    LibraryNotServed,
    #[error("this server sends no mail: its configuration has no [email] section")]
    MailNotConfigured,
    #[error(
        "this server offers no passkeys: its public_url names an IP address, and WebAuthn needs a host name"
    )]
    PasskeysOff,
    #[error("this endpoint does not accept that HTTP method")]
    MethodNotAllowed,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(u64),
    #[error("the session store is unavailable; try again shortly")]
    StoreUnavailable,
    #[error("an internal error occurred")]
    Internal,
}

impl ApiError {
    pub fn invalid(field: &'static str, problem: FieldError) -> Self {
        Self::InvalidArgument { field, problem }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::MissingArgument(_) => ErrorKind::MissingArgument,
            Self::InvalidArgument { .. } | Self::UnreadableRequest(_) => ErrorKind::InvalidArgument,
            Self::UnknownClient(_) => ErrorKind::UnknownClient,
            Self::UnknownFlow(_) => ErrorKind::UnknownFlow,
            Self::UnknownFlowVersion(_) => ErrorKind::UnknownFlowVersion,
            Self::UnknownLocale(_) => ErrorKind::UnknownLocale,
            Self::UrlNotRegistered(_) => ErrorKind::UrlNotRegistered,
            Self::OriginNotAllowed(_) => ErrorKind::OriginNotAllowed,
            Self::SegmentNotAllowed(_) => ErrorKind::SegmentNotAllowed,
            Self::InvalidCredentials => ErrorKind::InvalidCredentials,
            Self::EmailAddressInUse => ErrorKind::EmailAddressInUse,
            Self::InvalidCode => ErrorKind::InvalidCode,
            Self::TooManyCodes(..) => ErrorKind::TooManyCodes,
            Self::ConfirmationInvalid(_) => ErrorKind::ConfirmationInvalid,
            Self::LinkInvalid => ErrorKind::LinkInvalid,
            Self::EmailNotVerified => ErrorKind::EmailNotVerified,
            Self::PasskeyRefused(_) => ErrorKind::PasskeyRefused,
            Self::PasskeyNotFound => ErrorKind::PasskeyNotFound,
            Self::PasskeyConflict(_) => ErrorKind::PasskeyConflict,
            Self::AccessTokenInvalid => ErrorKind::AccessTokenInvalid,
            Self::SessionNotFound(_) => ErrorKind::SessionNotFound,
            Self::NotFound
            | Self::LibraryNotServed
            | Self::MailNotConfigured
            | Self::PasskeysOff => ErrorKind::NotFound,
            Self::MethodNotAllowed => ErrorKind::MethodNotAllowed,
            Self::PayloadTooLarge(_) => ErrorKind::PayloadTooLarge,
            Self::RequestTimeout(_) => ErrorKind::RequestTimeout,
            Self::RateLimited(_) => ErrorKind::RateLimited,
            Self::StoreUnavailable => ErrorKind::StoreUnavailable,
            Self::Internal => ErrorKind::Internal,
        }
    }

    /// The JSON body every API error has.
    pub fn body(&self) -> ErrorBody {
        let (code, error, _) = self.kind().identity();
        ErrorBody {
            stat: "error",
            code,
            error,
            error_description: self.to_string(),
            request_id: telemetry::current_request_id(),
        }
    }

    /// Truncates user-supplied text that is echoed in a message, so an error
    /// never repeats a megabyte back.
    pub fn echo(raw: &str) -> String {
        const MAX: usize = 64;
        if raw.chars().count() <= MAX {
            raw.to_owned()
        } else {
            let mut s: String = raw.chars().take(MAX).collect();
            s.push('…');
            s
        }
    }
}

/// `{"stat":"error", …}`: every catalog error, at every endpoint but
/// `/oauth/token` and `/api`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `error`.
    #[schema(value_type = String, pattern = "^error$")]
    pub stat: &'static str,
    /// The catalog's number (README, "Error catalog").
    #[schema(schema_with = catalog_codes)]
    pub code: u16,
    /// The catalog's name.
    #[schema(schema_with = catalog_names)]
    pub error: &'static str,
    /// What was wrong, naming the parameter.
    pub error_description: String,
    /// The request's id, also in the server's log.
    pub request_id: String,
}

/// The `code` values of [`ErrorKind::ALL`], for the OpenAPI document.
fn catalog_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .enum_values(Some(ErrorKind::ALL.map(|k| k.identity().0)))
        .build()
}

/// The `error` names of [`ErrorKind::ALL`], for the OpenAPI document.
fn catalog_names() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(ErrorKind::ALL.map(|k| k.identity().1)))
        .build()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().identity().2
    }

    fn error_response(&self) -> HttpResponse {
        self.response().json(self.body())
    }
}

impl ApiError {
    /// The status and headers of this error's answer (`no-store`, and
    /// `Retry-After` where waiting helps), for whichever body shape the
    /// endpoint's callers read.
    pub fn response(&self) -> HttpResponseBuilder {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            Self::RateLimited(secs) | Self::TooManyCodes(_, secs) => {
                response.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            Self::StoreUnavailable => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            // The rest of the body may still be on its way: the connection
            // cannot carry another request.
            Self::RequestTimeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        response
    }
}
