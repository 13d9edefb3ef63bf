//! `GET /sso/set`: sign this browser in to the client's segment, in two
//! steps (see [`super::confirm`] for why):
//!
//! 1. with `sso_code`: take the code from the registration API, park the
//!    sign-in under a new pending cookie, and deliver `status: "confirm"`
//!    with a token bound to that cookie;
//! 2. with `confirm=<token>`: take the parked sign-in and activate it under
//!    a fresh session cookie value.

use sso_protocol::{param, status};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Target, cookie, establish, login_status, serve, storage_access};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::confirmations::Purpose;
use sso_core::domain::Secret;
use sso_core::domain::{CodeKind, Grant, PENDING_SIGN_IN_SECS};
use sso_core::tokens::redeem_code;

const ACTION: &str = "ssoSetSession";

#[utoipa::path(
    get, path = "/sso/set", tag = "sso",
    description = "Signs the browser in with an `sso_code`, in two steps: `sso_code` (answers `confirm`), then `confirm=<token>`.",
    params(forms::SsoQuery),
    responses(
        (status = 303, description = "To the registered receiver (or redirect URI) named by the query, with `#state=<state>&sso=<JSON result>` as the fragment; errors found once the receiver is known travel there too, as `{\"stat\":\"error\", …}`", headers(("Location" = String, description = "the receiver URL with the result in its fragment"))),
        (status = 400, description = "The client, the receiver or `state` is missing, unknown, unregistered or malformed: a page naming the catalog error, and no redirect", content_type = "text/html", body = String),
    ),
)]
pub async fn set(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    serve(&state, &req, answer).await
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    // Validated only: a set always signs in to the client's own segment.
    target.segments(p)?;
    let logout_index = target.logout_index(p)?;
    match p.optional(param::CONFIRM)? {
        None => park(state, req, p, target).await,
        Some(token) => activate(state, req, target, token, logout_index).await,
    }
}

/// Step 1: the code is taken, the sign-in parked; nothing about the
/// browser's session changes yet.
async fn park(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let client = target.client;
    let code = p.parse("sso_code", Secret::parse)?;
    // A frame that cannot keep cookies cannot be signed in: answer before
    // taking the code, so the library can retry it with a top-level redirect.
    if cookie::read(req, settings).is_none() && storage_access::cookie_withheld(req) {
        return Ok(target.deliver(&target.blocked(ACTION)));
    }
    let grant = redeem_code(state.store.as_ref(), CodeKind::SsoCode, &code, &client.id).await?;
    let pending = Secret::generate();
    let wait = Duration::from_secs(PENDING_SIGN_IN_SECS);
    state
        .store
        .put_code(CodeKind::PendingSignIn, &pending.hash(), &grant, wait)
        .await?;
    let token = state
        .confirmations
        .token(Purpose::SignIn, &pending.hash(), &client.id);
    let result = target.ok(
        ACTION,
        status::CONFIRM,
        "confirmSignIn",
        json!({ "confirm": token }),
    );
    let mut response = target.deliver(&result);
    response
        .add_cookie(&cookie::issue_pending(settings, &pending))
        .map_err(|_| ApiError::Internal)?;
    Ok(response)
}

/// Step 2: only a request that brings both the pending cookie and the token
/// delivered to the site's receiver activates the parked sign-in.
async fn activate(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    token: &str,
    logout_index: u8,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let client = target.client;
    let refused = ApiError::ConfirmationInvalid("sign-in");
    let parked = cookie::read_pending(req, settings);
    if parked.is_empty() && storage_access::cookie_withheld(req) {
        return Ok(target.deliver(&target.blocked(ACTION)));
    }
    // The one sign-in of this browser the token confirms (another tab may
    // have parked one of its own meanwhile).
    let (name, pending) = parked
        .into_iter()
        .find(|(_, pending)| {
            state
                .confirmations
                .verify(Purpose::SignIn, &pending.hash(), &client.id, token)
        })
        .ok_or(ApiError::ConfirmationInvalid("sign-in"))?;
    let grant = state
        .store
        .take_code(CodeKind::PendingSignIn, &pending.hash())
        .await?
        .filter(|g| g.client == client.id)
        .ok_or(refused)?;
    let mut response = sign_in(state, req, target, grant, logout_index).await?;
    response
        .add_cookie(&cookie::pending_removal(name))
        .map_err(|_| ApiError::Internal)?;
    Ok(response)
}

/// The sign-in itself, answered to the site's receiver.
async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    grant: Grant,
    logout_index: u8,
) -> Result<HttpResponse, ApiError> {
    let client = target.client;
    let done = establish::sign_in(state, req, client, &grant, logout_index).await?;
    let sign_out = state
        .confirmations
        .token(Purpose::SignOut, &done.sid, &client.id);
    let result = target.ok(
        ACTION,
        status::SUCCESS,
        "ssoSessionSet",
        json!({ "keepMeLoggedIn": grant.keep_me_logged_in, "signOutToken": sign_out }),
    );
    let mut response = target.deliver(&result);
    response
        .add_cookie(&done.cookie)
        .map_err(|_| ApiError::Internal)?;
    login_status::signed_in(&mut response);
    Ok(response)
}
