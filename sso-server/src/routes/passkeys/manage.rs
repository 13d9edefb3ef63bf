//! A person's passkeys. Adding one happens on the server's own origin
//! only, for the browser's sign-in (`/account/passkeys/*`, the session
//! cookie, a same-origin `fetch`): a site holding an access token can
//! never add a key to someone's account. Listing, renaming and deleting
//! also work with an access token (`/entity/passkeys*`), so any site of
//! the family can offer a "Your passkeys" page.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::openapi::passkey_forms;
use super::super::params::{Form, Params};
use super::super::sso::authorize::signed_in;
use super::PasskeyView;
use crate::credentials::Authorization;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::config::Client;
use sso_core::domain::{PasskeyName, User, parse_passkey_id};
use sso_core::passkeys::{Passkeys, RegistrationAnswer};
use sso_core::tokens::token_user;

/// Challenges one person may ask for per minute (each is a store write).
const CHALLENGES_PER_MINUTE: u64 = 20;

/// `{"stat":"ok","result":{"passkeys":[...]}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyList {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    result: PasskeyListResult,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyListResult {
    /// Oldest first.
    passkeys: Vec<PasskeyView>,
}

fn list_of(user: &User) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(PasskeyList {
            stat: "ok",
            result: PasskeyListResult {
                passkeys: user.passkeys.iter().map(PasskeyView::from).collect(),
            },
        })
}

/// The person behind the bearer token.
async fn bearer(state: &AppState, req: &HttpRequest) -> Result<User, ApiError> {
    let Some(Ok(Authorization::Bearer(token))) = Authorization::of(req) else {
        return Err(ApiError::AccessTokenInvalid);
    };
    let (user, _, _) = token_user(state.store.as_ref(), &state.access_tokens, &token).await?;
    Ok(user)
}

/// The person this browser is signed in as, in the family of `client_id`,
/// asked by a script of the server's own origin (an exact `Origin`: a
/// page of another site cannot add a passkey with the person's cookie).
async fn browser(state: &AppState, req: &HttpRequest, p: &Params<'_>) -> Result<User, ApiError> {
    super::from_own_origin(state, req)?;
    signed_in_user(state, req, p.client(&state.settings)?)
        .await?
        .ok_or(ApiError::AccessTokenInvalid)
}

/// The person this browser is signed in as for `client`'s family.
pub(super) async fn signed_in_user(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
) -> Result<Option<User>, ApiError> {
    match signed_in(state, req, client).await? {
        Some((_, _, found)) => Ok(state.store.user(found.user.id).await?),
        None => Ok(None),
    }
}

#[utoipa::path(
    post, path = "/account/passkeys/challenge", tag = "account",
    request_body(content = passkey_forms::AddChallengeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A registration challenge: `options` for `navigator.credentials.create`, `ceremony` to send back", body = super::Challenge<Object>),
        (status = 400, description = "`missing_argument`, `unknown_client`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`: this browser is not signed in for the client's family", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: not a script of the server's own origin", body = ErrorBody),
        (status = 409, description = "`passkey_conflict`: the account has ten passkeys already", body = ErrorBody),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: more than 20 challenges a minute for this person", body = ErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn add_challenge(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let user = browser(&state, &req, &p).await?;
    let window = std::time::Duration::from_secs(60);
    let key = format!("passkey:{}", user.id);
    if state.store.hit(&key, window).await? > CHALLENGES_PER_MINUTE {
        return Err(ApiError::RateLimited(window.as_secs()));
    }
    let store = state.store.as_ref();
    let (id, options) = state.passkeys()?.start_registration(store, &user).await?;
    Ok(super::challenge(id.expose(), options))
}

#[utoipa::path(
    post, path = "/account/passkeys/add", tag = "account",
    request_body(content = passkey_forms::AddPasskeyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The passkey was added: the person's passkeys", body = PasskeyList),
        (status = 400, description = "`missing_argument`, `invalid_argument`, `unknown_client`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid` (not signed in), or `passkey_refused`: the challenge is used, expired, unknown or another person's, or the answer does not hold", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: not a script of the server's own origin", body = ErrorBody),
        (status = 409, description = "`passkey_conflict`: ten passkeys already, or this one is registered", body = ErrorBody),
        (status = 404, description = "`not_found`: passkeys are off (`public_url` names an IP address)", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn add(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let user = browser(&state, &req, &p).await?;
    let ceremony = super::ceremony(&p)?;
    let credential: RegistrationAnswer = super::credential(&p)?;
    let name = p
        .parse_opt("name", PasskeyName::parse)?
        .unwrap_or_else(|| PasskeyName::parse("Passkey").expect("a valid name"));
    let store = state.store.as_ref();
    let changed = state
        .passkeys()?
        .finish_registration(store, &user, ceremony, &credential, name)
        .await?;
    tracing::info!(user = %user.id, passkeys = changed.passkeys.len(), "passkey added");
    Ok(list_of(&changed))
}

#[utoipa::path(
    get, path = "/entity/passkeys", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person's passkeys", body = PasskeyList),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Ok(list_of(&bearer(&state, &req).await?))
}

#[utoipa::path(
    post, path = "/entity/passkeys/rename", tag = "registration",
    security(("bearer" = [])),
    request_body(content = passkey_forms::RenamePasskeyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Renamed: the person's passkeys", body = PasskeyList),
        (status = 400, description = "`missing_argument`, `invalid_argument`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 404, description = "`passkey_not_found`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn rename(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let user = bearer(&state, &req).await?;
    rename_for(&state, &user, &Params::new(form.into_inner())).await
}

async fn rename_for(
    state: &AppState,
    user: &User,
    p: &Params<'_>,
) -> Result<HttpResponse, ApiError> {
    let id = p.parse("id", parse_passkey_id)?;
    let name = p.parse("name", PasskeyName::parse)?;
    let changed = Passkeys::rename(state.store.as_ref(), user.id, &id, name).await?;
    Ok(list_of(&changed))
}

async fn delete_for(
    state: &AppState,
    user: &User,
    p: &Params<'_>,
) -> Result<HttpResponse, ApiError> {
    let id = p.parse("id", parse_passkey_id)?;
    let changed = Passkeys::delete(state.store.as_ref(), user.id, &id).await?;
    tracing::info!(user = %user.id, "passkey deleted");
    Ok(list_of(&changed))
}

#[utoipa::path(
    post, path = "/entity/passkeys/delete", tag = "registration",
    security(("bearer" = [])),
    request_body(content = passkey_forms::DeletePasskeyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Deleted: the person's passkeys", body = PasskeyList),
        (status = 400, description = "`missing_argument`, `invalid_argument`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 404, description = "`passkey_not_found`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let user = bearer(&state, &req).await?;
    delete_for(&state, &user, &Params::new(form.into_inner())).await
}

#[utoipa::path(
    post, path = "/account/passkeys/rename", tag = "account",
    request_body(content = passkey_forms::AccountRenameForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Renamed: the person's passkeys", body = PasskeyList),
        (status = 400, description = "`missing_argument`, `invalid_argument`, `unknown_client`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`: this browser is not signed in for the client's family", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: not a script of the server's own origin", body = ErrorBody),
        (status = 404, description = "`passkey_not_found`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn account_rename(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let user = browser(&state, &req, &p).await?;
    rename_for(&state, &user, &p).await
}

#[utoipa::path(
    post, path = "/account/passkeys/delete", tag = "account",
    request_body(content = passkey_forms::AccountDeleteForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Deleted: the person's passkeys", body = PasskeyList),
        (status = 400, description = "`missing_argument`, `invalid_argument`, `unknown_client`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`: this browser is not signed in for the client's family", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: not a script of the server's own origin", body = ErrorBody),
        (status = 404, description = "`passkey_not_found`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn account_delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let user = browser(&state, &req, &p).await?;
    delete_for(&state, &user, &p).await
}
