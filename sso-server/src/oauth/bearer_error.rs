//! Refusals of a bearer-token resource in RFC 6750 §3's terms, for
//! `/oauth/userinfo` (OpenID Connect Core §5.3.3): a status, a
//! `WWW-Authenticate: Bearer` challenge naming the error, and the same
//! `error` / `error_description` as a JSON body for clients that read it.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;
use sso_core::store::StoreError;
use sso_core::tokens::TokenError as CoreTokenError;

#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    /// RFC 6750 §3.1: a request with no credentials gets a bare challenge.
    #[error("send the access token as `Authorization: Bearer <token>`")]
    Missing,
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error("the access token is unknown, expired, or its sign-in ended")]
    InvalidToken,
    #[error("the session store is unavailable; try again shortly")]
    TemporarilyUnavailable,
    #[error("an internal error occurred")]
    ServerError,
}

/// The answer's body, also in the challenge.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BearerErrorBody {
    #[schema(schema_with = bearer_error_codes)]
    pub error: &'static str,
    pub error_description: String,
}

fn bearer_error_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(BearerError::CODES))
        .build()
}

impl BearerError {
    /// Every `error` a bearer resource answers with (the README's table).
    pub const CODES: [&'static str; 4] = [
        "invalid_request",
        "invalid_token",
        "temporarily_unavailable",
        "server_error",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing | Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }

    /// The `WWW-Authenticate` value; `error_description` holds only our
    /// own fixed sentences, so it needs no escaping.
    fn challenge(&self) -> HeaderValue {
        let value = match self {
            Self::Missing => "Bearer realm=\"sso\"".to_owned(),
            other => format!(
                "Bearer realm=\"sso\", error=\"{}\", error_description=\"{other}\"",
                other.code()
            ),
        };
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer realm=\"sso\""))
    }
}

impl From<ApiError> for BearerError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::StoreUnavailable => Self::TemporarilyUnavailable,
            ApiError::AccessTokenInvalid => Self::InvalidToken,
            _ => Self::ServerError,
        }
    }
}

crate::error::via_api_error!(BearerError: StoreError, CoreTokenError);

impl ResponseError for BearerError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Missing | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::WWW_AUTHENTICATE, self.challenge()));
        if matches!(self, Self::TemporarilyUnavailable) {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
        }
        response.json(BearerErrorBody {
            error: self.code(),
            error_description: self.to_string(),
        })
    }
}
