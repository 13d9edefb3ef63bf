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
