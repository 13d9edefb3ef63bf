//! The forms of what a person does by mail (`/oauth/forgot_password`,
//! `/oauth/reset_password` and the `/account/*` pages), as OpenAPI sees
//! them. As in `forms.rs`, constraints are only those the server enforces
//! exactly.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `POST /oauth/forgot_password`.
#[derive(ToSchema, Deserialize)]
pub struct ForgotPasswordForm {
    /// The site asking (its registered origins are checked against `Origin`).
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// The account's address.
    #[schema(min_length = 1, examples("person@example.com"))]
    email: String,
    /// The mail's language (English, Swedish).
    ui_locales: Option<String>,
}

/// `POST /oauth/reset_password`.
#[derive(ToSchema, Deserialize)]
pub struct ResetPasswordForm {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// The `token` of the mailed link.
    #[schema(min_length = 1)]
    token: String,
    /// At least 8 characters, not the email address.
    #[schema(min_length = 1, examples("correct-horse-battery"))]
    new_password: String,
}

/// `GET /account/forgot`.
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// The page's language (English, Swedish).
    ui_locales: Option<String>,
}

/// `GET /account/reset`, `GET /account/verify`: the mailed link.
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The link's one-use token.
    token: Option<String>,
    ui_locales: Option<String>,
}

/// `POST /account/forgot`.
#[derive(ToSchema, Deserialize)]
pub struct HostedForgotForm {
    #[schema(min_length = 1, examples("person@example.com"))]
    email: String,
    ui_locales: Option<String>,
}

/// `POST /account/reset`.
#[derive(ToSchema, Deserialize)]
pub struct HostedResetForm {
    #[schema(min_length = 1)]
    token: String,
    #[schema(min_length = 1, examples("correct-horse-battery"))]
    new_password: String,
    ui_locales: Option<String>,
}

/// `POST /account/verify`.
#[derive(ToSchema, Deserialize)]
pub struct HostedVerifyForm {
    #[schema(min_length = 1)]
    token: String,
    ui_locales: Option<String>,
}

/// What every form of these pages may answer besides its success, for the
/// OpenAPI document.
#[derive(utoipa::IntoResponses)]
pub enum FormPageAnswers {
    #[response(
        status = 400,
        description = "The form again with the refused field named, or a page: `invalid_argument` (the form could not be read)",
        content_type = "text/html"
    )]
    Refused(String),
    #[response(
        status = 403,
        description = "A page: `origin_not_allowed` (posted from another site)",
        content_type = "text/html"
    )]
    Foreign(String),
    #[response(
        status = 404,
        description = "A page: `not_found` (the server has no `[email]`)",
        content_type = "text/html"
    )]
    NoMail(String),
    #[response(
        status = 408,
        description = "A page: `request_timeout`",
        content_type = "text/html"
    )]
    Slow(String),
    #[response(
        status = 413,
        description = "A page: `payload_too_large`",
        content_type = "text/html"
    )]
    TooLarge(String),
    #[response(
        status = 503,
        description = "A page: the store is unavailable",
        content_type = "text/html"
    )]
    Unavailable(String),
}
