//! Passkeys over HTTP: a site's own form signs in with one through the
//! registration API (`sign_in.rs`), a person manages theirs with an access
//! token (`manage.rs`), and `/.well-known/webauthn` names the origins that
//! share them (Related Origin Requests).

pub mod manage;
pub mod page;
pub mod sign_in;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::params::Params;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::domain::{FieldError, StoredPasskey};

/// `{"origins": [...]}`: the server's own origin and every client's.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RelatedOrigins<'a> {
    origins: &'a [String],
}

#[utoipa::path(
    get, path = "/.well-known/webauthn", tag = "registration",
    responses(
        (status = 200, description = "The origins that may use the family's passkeys (WebAuthn Related Origin Requests): the server's and every registered site's", body = RelatedOrigins),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
    ),
)]
pub async fn well_known(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let passkeys = state.passkeys()?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(RelatedOrigins {
            origins: passkeys.related_origins(),
        }))
}

/// A request from a script of the server's own origin (an exact `Origin`:
/// a page of another site cannot act with the person's cookie).
fn from_own_origin(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let own = state.settings.public_url.origin().ascii_serialization();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    if origin != Some(own.as_str()) {
        return Err(ApiError::OriginNotAllowed(ApiError::echo(
            origin.unwrap_or(""),
        )));
    }
    Ok(())
}

/// The script of the passkey pages (`/account/passkeys.js`).
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(include_str!("../../../assets/passkeys.js"))
}

/// A browser's answer to a challenge, sent as the JSON of its
/// `PublicKeyCredential` (binary fields base64url) in one form field.
fn credential<T: DeserializeOwned>(p: &Params<'_>) -> Result<T, ApiError> {
    p.parse("credential", |raw| {
        serde_json::from_str(raw).map_err(|_| {
            FieldError::Malformed(
                "the JSON of the browser's PublicKeyCredential (base64url fields)",
            )
        })
    })
}

/// The ceremony id the challenge came with.
fn ceremony<'p>(p: &'p Params<'_>) -> Result<&'p str, ApiError> {
    p.required("ceremony")
}

/// A challenge's answer: the ceremony to send back and the options for
/// `navigator.credentials`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Challenge<T: Serialize> {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    /// Send it back with the browser's answer (one use, five minutes).
    ceremony: String,
    /// For `navigator.credentials.create` or `.get`, binary fields in
    /// base64url: `{"publicKey": {...}}`.
    #[schema(value_type = Object)]
    options: T,
}

fn challenge<T: Serialize>(ceremony: &str, options: T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Challenge {
            stat: "ok",
            ceremony: ceremony.to_owned(),
            options,
        })
}

/// A passkey as its person sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyView {
    /// The credential id (base64url): what rename and delete name.
    id: String,
    name: String,
    /// Unix seconds.
    created: i64,
    /// Unix seconds of the last sign-in with it.
    #[serde(rename = "lastUsed", skip_serializing_if = "Option::is_none")]
    last_used: Option<i64>,
}

impl From<&StoredPasskey> for PasskeyView {
    fn from(p: &StoredPasskey) -> Self {
        Self {
            id: p.id(),
            name: p.name.as_str().to_owned(),
            created: p.created,
            last_used: p.last_used,
        }
    }
}
