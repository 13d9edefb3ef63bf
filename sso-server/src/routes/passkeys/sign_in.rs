//! A site's own sign-in form with a passkey, through the registration API:
//! `POST /oauth/passkey_challenge` gives the options for
//! `navigator.credentials.get` (the family's relying party, so the browser
//! checks `/.well-known/webauthn`), and `POST /oauth/auth_native_passkey`
//! takes the browser's answer and ends like a password sign-in, with an
//! `sso_code` for `set_session`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::super::openapi::passkey_forms;
use super::super::params::{Form, Params};
use super::super::registration::{self, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::domain::AuthMethod;
use sso_core::passkeys::{PasskeyError, SignInAnswer};

#[utoipa::path(
    post, path = "/oauth/passkey_challenge", tag = "registration",
    request_body(content = passkey_forms::PasskeyChallengeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A sign-in challenge: `options` for `navigator.credentials.get`, `ceremony` to send back", body = super::Challenge<Object>),
        (status = 400, description = "`missing_argument`, `unknown_client`", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: the `Origin` is not one of the client's", body = ErrorBody),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address", body = ErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn challenge(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let client = p.client(&state.settings)?;
    registration::check_origin(&req, client)?;
    state
        .accounts()
        .attempt_from(registration::client_ip(&req))
        .await?;
    let (id, options) = state
        .passkeys()?
        .start_sign_in(state.store.as_ref())
        .await?;
    Ok(super::challenge(id.expose(), options))
}

#[utoipa::path(
    post, path = "/oauth/authorize/passkey", tag = "oauth",
    description = "The hosted sign-in page's script: a sign-in challenge for the browser's passkey autofill and button. The page then posts the answer with its form to `/oauth/authorize/sign-in` (`passkey_ceremony`, `passkey_credential`).",
    responses(
        (status = 200, description = "A sign-in challenge: `options` for `navigator.credentials.get`, `ceremony` to send back", body = super::Challenge<Object>),
        (status = 403, description = "`origin_not_allowed`: not a script of the server's own origin", body = ErrorBody),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address", body = ErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn hosted_challenge(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    super::from_own_origin(&state, &req)?;
    let passkeys = state.passkeys()?;
    state
        .accounts()
        .attempt_from(registration::client_ip(&req))
        .await?;
    let (id, options) = passkeys.start_sign_in(state.store.as_ref()).await?;
    Ok(super::challenge(id.expose(), options))
}

#[utoipa::path(
    post, path = "/oauth/auth_native_passkey", tag = "registration",
    request_body(content = passkey_forms::PasskeySignInForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 400, description = "A parameter is missing or malformed, the client, flow, version or locale is unknown, or `redirect_uri` is not registered", body = ErrorBody),
        (status = 401, description = "`passkey_refused`: the challenge is used, expired or unknown, the passkey is no account's, or its answer does not hold (origin, signature, user verification, a counter gone backwards)", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: the `Origin` is not one of the client's", body = ErrorBody),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address", body = ErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let c = registration::common(&state, &req, &p).await?;
    let ceremony = super::ceremony(&p)?;
    let credential: SignInAnswer = super::credential(&p)?;
    let keep = p.flag("keepMeLoggedIn")?;
    let store = state.store.as_ref();
    let user = match state
        .passkeys()?
        .finish_sign_in(store, ceremony, &credential)
        .await
    {
        Err(e @ PasskeyError::Store(_)) => return Err(e.into()),
        Err(e) => {
            tracing::info!(client = %c.client.id, reason = %e, "passkey sign-in refused");
            return Err(e.into());
        }
        Ok(user) => user,
    };
    tracing::info!(user = %user.id, client = %c.client.id, "user signed in with a passkey");
    registration::signed_in(&state, &c, &user, false, keep, AuthMethod::Passkey).await
}
