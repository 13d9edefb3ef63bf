//! The SSO server as a FedCM identity provider. Where the browser blocks
//! third-party cookies, FedCM is how a site learns, without leaving the
//! page, what `/sso/check` would say: the browser itself fetches our
//! accounts and ID assertion endpoints with the SSO cookie, and hands the
//! site only the assertion, which is the check's result.
//!
//! - `/.well-known/web-identity` names the config file, the accounts
//!   endpoint and the login URL (browsers fetch it from the registrable
//!   domain of the config URL, without cookies): Chrome 145 and later
//!   require the last two of a provider with client metadata.
//! - `/fedcm/config.json` names the endpoints.
//! - `/fedcm/accounts` lists who is signed in in this browser (cookie),
//!   each with the clients that may use one of its segments as
//!   `domain_hints`: the library's `domainHint` is its client id.
//! - `/fedcm/client_metadata` answers for a registered client.
//! - `/fedcm/assertion` answers a site's request with the check's result.
//! - `/fedcm/disconnect` names the account a site disconnects.
//! - `/fedcm/sign-in` is the `login_url` the browser opens when nobody is.

pub(in crate::routes) mod accounts;
pub(in crate::routes) mod assertion;
pub(in crate::routes) mod disconnect;
mod id_token;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use crate::error::ApiError;
use crate::routes::params::{Params, read_form};
use crate::state::AppState;
use sso_core::domain::{ClientId, FieldError};

use super::no_store;

pub use accounts::accounts;
pub use assertion::assertion;
pub use disconnect::disconnect;

/// Paths of the FedCM endpoints, below the public URL.
pub const CONFIG_PATH: &str = "/fedcm/config.json";
pub const ACCOUNTS_PATH: &str = "/fedcm/accounts";
pub const CLIENT_METADATA_PATH: &str = "/fedcm/client_metadata";
pub const ASSERTION_PATH: &str = "/fedcm/assertion";
pub const DISCONNECT_PATH: &str = "/fedcm/disconnect";
pub const SIGN_IN_PATH: &str = "/fedcm/sign-in";

/// `GET /.well-known/web-identity`.
#[utoipa::path(
    get, path = "/.well-known/web-identity", tag = "fedcm",
    description = "FedCM's well-known file: names the config file, the accounts endpoint and the login URL. Browsers fetch it without cookies from the registrable domain of the config URL.",
    responses((status = 200, description = "`{\"provider_urls\":[\"<public_url>/fedcm/config.json\"],\"accounts_endpoint\",\"login_url\"}`", body = Object)),
)]
pub async fn well_known(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.settings.issuer();
    json_answer(&json!({
        "provider_urls": [format!("{issuer}{CONFIG_PATH}")],
        "accounts_endpoint": format!("{issuer}{ACCOUNTS_PATH}"),
        "login_url": format!("{issuer}{SIGN_IN_PATH}"),
    }))
}

/// `GET /fedcm/config.json`.
#[utoipa::path(
    get, path = "/fedcm/config.json", tag = "fedcm",
    description = "FedCM's config file: the accounts, client metadata, ID assertion and disconnect endpoints, the login URL and branding.",
    responses((status = 200, description = "The endpoints, as absolute URLs below the public URL", body = Object)),
)]
pub async fn config(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.settings.issuer();
    json_answer(&json!({
        "accounts_endpoint": format!("{issuer}{ACCOUNTS_PATH}"),
        "client_metadata_endpoint": format!("{issuer}{CLIENT_METADATA_PATH}"),
        "id_assertion_endpoint": format!("{issuer}{ASSERTION_PATH}"),
        "disconnect_endpoint": format!("{issuer}{DISCONNECT_PATH}"),
        "login_url": format!("{issuer}{SIGN_IN_PATH}"),
        "branding": { "background_color": "#1f3a5f", "color": "#ffffff", "name": "SSO" },
    }))
}

/// `GET /fedcm/client_metadata?client_id=…`: the browser asks before it
/// shows a person a site for the first time. Our clients register no
/// privacy policy or terms, so a registered client's metadata is empty.
#[utoipa::path(
    get, path = "/fedcm/client_metadata", tag = "fedcm",
    description = "FedCM client metadata of a registered client (empty: clients register no policy or terms URLs).",
    params(("client_id" = String, Query, description = "a registered client", pattern = "^[A-Za-z0-9_.-]{1,64}$", example = "news")),
    responses(
        (status = 200, description = "`{}`", body = Object),
        (status = 400, description = "`{\"error\":{\"code\":\"unknown_client\"|\"missing_argument\"|…}, \"error_description\", \"request_id\"}`", body = Object),
    ),
)]
pub async fn client_metadata(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let answer = (|| {
        let p = Params::from_query(req.query_string())?;
        p.client(&state.settings)?;
        Ok::<_, ApiError>(())
    })();
    match answer {
        Ok(()) => json_answer(&json!({})),
        Err(err) => error(&err, None),
    }
}

/// `GET /fedcm/sign-in`: the browser opens it in a pop-up when a site
/// offers "Continue as" and nobody is signed in. People sign in on the
/// sites themselves, so the page says so and closes the pop-up.
#[utoipa::path(
    get, path = "/fedcm/sign-in", tag = "fedcm",
    description = "FedCM's login URL: the pop-up a browser opens for \"Continue as\" when nobody is signed in. It tells the person to sign in on the site, and closes.",
    responses((status = 200, description = "An HTML page", content_type = "text/html", body = String)),
)]
pub async fn sign_in() -> HttpResponse {
    const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>Not signed in</title></head><body><h1>You are not signed in</h1>\
        <p>Close this window and sign in on the site you came from; \
        \u{201c}Continue\u{201d} will then work on the others.</p>\
        <button type=\"button\" id=\"close\">Close</button>\
        <script>document.getElementById('close').onclick=function(){\
        if(window.IdentityProvider&&IdentityProvider.close)IdentityProvider.close();\
        window.close();};</script></body></html>";
    no_store(HttpResponse::Ok())
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

fn json_answer(body: &impl Serialize) -> HttpResponse {
    no_store(HttpResponse::Ok()).json(body)
}

/// The browser marks the requests FedCM makes with
/// `Sec-Fetch-Dest: webidentity`, which a page cannot set: the endpoints
/// that read the cookie refuse any other request (a form post, a fetch).
fn from_fedcm(req: &HttpRequest) -> Result<(), ApiError> {
    let dest = req.headers().get("sec-fetch-dest");
    if dest.is_some_and(|v| v.as_bytes() == b"webidentity") {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "Sec-Fetch-Dest",
            FieldError::Malformed("webidentity (only the browser's FedCM calls this endpoint)"),
        ))
    }
}

/// FedCM's error shape, `{"error":{"code":…}}`, whose `code` the browser
/// hands the site; `code` is the catalog's error name, and the catalog's
/// description and request id ride beside it for whoever reads the body.
/// `allow` is the site's origin once it is verified: without it the
/// browser withholds the answer from the page.
fn error(err: &ApiError, allow: Option<&str>) -> HttpResponse {
    let body = err.body();
    let mut response = no_store(err.response());
    if let Some(origin) = allow {
        cors(&mut response, origin);
    }
    response.json(json!({
        "error": { "code": body.error },
        "error_description": body.error_description,
        "request_id": body.request_id,
    }))
}

/// A request from the browser's FedCM, from a registered origin of the
/// client its form names.
struct Verified {
    origin: String,
    form: Params<'static>,
}

/// Reads a FedCM form of at most `limit` bytes, from the browser's FedCM,
/// posted from a registered origin of the client it names.
async fn verify(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Verified, ApiError> {
    from_fedcm(req)?;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .ok_or(ApiError::MissingArgument("Origin"))?
        .to_str()
        .map_err(|_| ApiError::invalid("Origin", FieldError::Malformed("an origin")))?
        .to_owned();
    let form = Params::new(read_form(req, payload, limit).await?);
    let client = form.client(&state.settings)?;
    if !client.allows_origin(&origin) {
        return Err(ApiError::OriginNotAllowed(ApiError::echo(&origin)));
    }
    Ok(Verified { origin, form })
}

/// The answer to a verified request: `body`, or the error, both readable
/// by the verified origin alone.
fn answer_to(origin: &str, answered: Result<impl Serialize, ApiError>) -> HttpResponse {
    match answered {
        Ok(body) => {
            let mut response = no_store(HttpResponse::Ok());
            cors(&mut response, origin);
            response.json(body)
        }
        Err(err) => error(&err, Some(origin)),
    }
}

/// CORS for a verified origin, with credentials.
fn cors(builder: &mut actix_web::HttpResponseBuilder, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        builder
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, value))
            .insert_header((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
            .insert_header((header::VARY, "Origin"));
    }
}

/// The clients that may use any of `segments`: FedCM's `approved_clients`,
/// and the `domain_hints` a site's `domainHint` (its client id) matches.
fn clients_of<'s>(
    state: &'s AppState,
    segments: &[&sso_core::domain::Segment],
) -> Vec<&'s ClientId> {
    let mut ids: Vec<&ClientId> = state
        .settings
        .clients
        .values()
        .filter(|c| segments.iter().any(|s| c.may_use_segment(s)))
        .map(|c| &c.id)
        .collect();
    ids.sort();
    ids
}
