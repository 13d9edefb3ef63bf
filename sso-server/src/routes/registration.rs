//! The registration API: `register_native_traditional` and
//! `auth_native_traditional`. Both answer with the profile, an access token
//! (or an authorization code) and a one-time `sso_code` for `set_session`.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::account;
use super::openapi::forms;
use super::params::{CodeOptions, Form, Params};
use super::profile::{CaptureUser, capture_user};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::accounts::{AccountError, NewAccount};
use sso_core::clock::unix_now;
use sso_core::config::{Client, Flow, Release};
use sso_core::domain::{
    AuthMethod, ClientId, CodeKind, DisplayName, Email, Grant, Password, ResponseType, User,
};
use sso_core::tokens::{issue_access_token, issue_code};

/// The answer of both calls: the profile, a one-time `sso_code` for
/// `set_session`, and per `response_type` an access token or a code.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedIn<'a> {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    capture_user: CaptureUser<'a>,
    /// `true` from `register_native_traditional`.
    is_new: bool,
    /// For `SSO.set_session` (single use, short-lived).
    sso_code: &'a str,
    /// `response_type=token`: a Bearer token for `/entity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    /// `response_type=token`: the token's life in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    /// `response_type=code`: a one-time code for `/oauth/token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_code: Option<String>,
}

/// What every registration API call carries besides the form's own fields.
pub(super) struct Common<'s> {
    pub client: &'s Client,
    flow: &'s Flow,
    redirect_uri: String,
    response_type: ResponseType,
    code_options: CodeOptions,
}

pub(super) fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

/// Browsers always send `Origin` on cross-origin POSTs; a foreign one is
/// refused here, not only by the browser's CORS check.
pub(super) fn check_origin(req: &HttpRequest, client: &Client) -> Result<(), ApiError> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !client.allows_origin(origin) {
            return Err(ApiError::OriginNotAllowed(ApiError::echo(origin)));
        }
    }
    Ok(())
}

pub(super) async fn common<'s>(
    state: &'s AppState,
    req: &HttpRequest,
    p: &Params<'_>,
) -> Result<Common<'s>, ApiError> {
    let client = p.client(&state.settings)?;
    check_origin(req, client)?;
    state.accounts().attempt_from(client_ip(req)).await?;
    let flow = p
        .flow(&state.settings, client, true)?
        .ok_or(ApiError::MissingArgument("flow"))?;
    let redirect_uri = p.required("redirect_uri")?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri)
        && !client.xd_receivers.iter().any(|u| u == redirect_uri)
    {
        return Err(ApiError::UrlNotRegistered("redirect_uri"));
    }
    let response_type = p
        .parse_opt("response_type", ResponseType::parse)?
        .unwrap_or_default();
    p.parse_opt("form", |f| {
        sso_core::domain::parse_token(
            f,
            64,
            |c| c.is_ascii_alphanumeric() || c == '_',
            "a form name (letters, digits, '_')",
        )
    })?;
    Ok(Common {
        client,
        flow,
        redirect_uri: redirect_uri.to_owned(),
        response_type,
        code_options: p.code_options()?,
    })
}

/// Mints the credentials of a successful sign-in and builds the answer.
pub(super) async fn signed_in(
    state: &AppState,
    c: &Common<'_>,
    user: &User,
    is_new: bool,
    keep_me_logged_in: bool,
    method: AuthMethod,
) -> Result<HttpResponse, ApiError> {
    if sso_core::accounts::requires_verified_email(c.client, Some(c.flow)) && !user.email_verified {
        return Err(ApiError::EmailNotVerified);
    }
    let client: &ClientId = &c.client.id;
    let now = unix_now();
    let sso_grant = Grant {
        user: user.profile(),
        client: client.clone(),
        redirect_uri: None,
        keep_me_logged_in,
        auth_time: now,
        method,
        flow: None,
        code_challenge: None,
        nonce: None,
        session: None,
        sid: None,
    };
    let sso_code = issue_code(
        state.store.as_ref(),
        &state.settings,
        CodeKind::SsoCode,
        &sso_grant,
    )
    .await?;
    let mut body = SignedIn {
        stat: "ok",
        capture_user: capture_user(user),
        is_new,
        sso_code: sso_code.expose(),
        access_token: None,
        expires_in: None,
        authorization_code: None,
    };
    match c.response_type {
        ResponseType::Token => {
            let release = Release::of(Some(c.flow));
            body.access_token = Some(issue_access_token(
                &state.access_tokens,
                &state.settings,
                user.id,
                client,
                release,
                None,
            ));
            body.expires_in = Some(state.settings.ttl.access_token.as_secs());
        }
        ResponseType::Code => {
            let grant = Grant {
                redirect_uri: Some(c.redirect_uri.clone()),
                flow: Some(c.flow.name.clone()),
                code_challenge: c.code_options.code_challenge.clone(),
                nonce: c.code_options.nonce.clone(),
                ..sso_grant
            };
            body.authorization_code = Some(state.codes.issue(&state.settings, &grant));
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

#[utoipa::path(
    post, path = "/oauth/register_native_traditional", tag = "registration",
    request_body(content = forms::RegisterForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Registered and signed in", body = SignedIn),
        (status = 400, description = "A parameter is missing or malformed, the client, flow, version or locale is unknown, or `redirect_uri` is not registered (`missing_argument`, `invalid_argument`, `unknown_*`, `url_not_registered`)", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: the `Origin` is not one of the client's", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 16 KiB", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address or for this account; `Retry-After` says when", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 409, description = "`email_address_in_use`", body = ErrorBody),
    ),
)]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let c = common(&state, &req, &p).await?;
    let new = NewAccount {
        email: p.parse("emailAddress", Email::parse)?,
        password: p.parse("password", Password::parse)?,
        display_name: p.parse("displayName", DisplayName::parse)?,
    };
    let keep = p.flag("keepMeLoggedIn")?;
    let user = state.accounts().register(new).await?;
    tracing::info!(user = %user.id, client = %c.client.id, "user registered");
    let locale = crate::pages::Locale::choose(p.optional("ui_locales")?);
    let job = account::MailJob::Verify {
        user: user.clone(),
        locale,
    };
    account::post(&state, job);
    signed_in(&state, &c, &user, true, keep, AuthMethod::Password).await
}

#[utoipa::path(
    post, path = "/oauth/auth_native_traditional", tag = "registration",
    request_body(content = forms::SignInForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 400, description = "A parameter is missing or malformed, the client, flow, version or locale is unknown, or `redirect_uri` is not registered (`missing_argument`, `invalid_argument`, `unknown_*`, `url_not_registered`)", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: the `Origin` is not one of the client's", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 16 KiB", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address or for this account; `Retry-After` says when", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 401, description = "`invalid_credentials`: wrong email or password (one answer for both)", body = ErrorBody),
    ),
)]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    let c = common(&state, &req, &p).await?;
    let email = p.parse("signInEmailAddress", Email::parse)?;
    let password = p.parse("currentPassword", Password::candidate)?;
    let keep = p.flag("keepMeLoggedIn")?;
    let user = match state.accounts().sign_in(&email, password).await {
        Err(AccountError::InvalidCredentials) => {
            tracing::info!(client = %c.client.id, "sign-in refused: wrong email or password");
            return Err(ApiError::InvalidCredentials);
        }
        other => other?,
    };
    tracing::info!(user = %user.id, client = %c.client.id, "user signed in");
    signed_in(&state, &c, &user, false, keep, AuthMethod::Password).await
}
