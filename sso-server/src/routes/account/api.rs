//! The registration API's part: a site's own "forgot password" form and
//! its own page for the link. Answers are JSON like the rest of the API.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{MailJob, post, sign_out_everywhere};
use crate::credentials::Authorization;
use crate::error::{ApiError, ErrorBody};
use crate::pages::Locale;
use crate::routes::openapi::account_forms as forms;
use crate::routes::params::{Form, Params};
use crate::state::AppState;
use sso_core::domain::{Email, Password};
use sso_core::tokens::token_user;

/// `{"stat":"ok"}`, and for a reset the sign-ins it ended.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    /// A reset: how many sign-ins of the person it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions_ended: Option<usize>,
    /// A new verification link: `true` if the address was verified already
    /// (then no mail is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

/// The client named, with the `Origin` check of the registration API.
fn check_client(state: &AppState, req: &HttpRequest, p: &Params<'_>) -> Result<(), ApiError> {
    let client = p.client(&state.settings)?;
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !client.allows_origin(origin) {
            return Err(ApiError::OriginNotAllowed(ApiError::echo(origin)));
        }
    }
    Ok(())
}

fn ok(sessions_ended: Option<usize>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Done {
            stat: "ok",
            sessions_ended,
            email_verified: None,
        })
}

#[utoipa::path(
    post, path = "/oauth/forgot_password", tag = "registration",
    request_body(content = forms::ForgotPasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "If an account has the address, a reset link is on its way to it (the same answer either way)", body = Done),
        (status = 400, description = "`missing_argument`, `invalid_argument`, `unknown_client`", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`", body = ErrorBody),
        (status = 404, description = "`not_found`: the server has no `[email]`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many requests from this IP or for this address", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
    ),
)]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    check_client(&state, &req, &p)?;
    let recovery = state.recovery().ok_or(ApiError::MailNotConfigured)?;
    let email = p.parse("email", Email::parse)?;
    let locale = Locale::choose(p.optional("ui_locales")?);
    recovery
        .count_forgot(&email, req.peer_addr().map(|a| a.ip()))
        .await?;
    post(&state, MailJob::Reset { email, locale });
    Ok(ok(None))
}

#[utoipa::path(
    post, path = "/oauth/reset_password", tag = "registration",
    request_body(content = forms::ResetPasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The password is changed; every sign-in of the person ended and their access tokens are refused", body = Done),
        (status = 400, description = "`link_invalid`: the token is unknown, used or expired; `missing_argument`, `invalid_argument`, `unknown_client`", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`", body = ErrorBody),
        (status = 404, description = "`not_found`: the server has no `[email]`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
    ),
)]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    let p = Params::new(form.into_inner());
    check_client(&state, &req, &p)?;
    let recovery = state.recovery().ok_or(ApiError::MailNotConfigured)?;
    let token = p.required("token")?;
    let password = p.parse("new_password", Password::parse)?;
    let user = recovery.reset(token, password).await?;
    let ended = sign_out_everywhere(&state, &user).await?;
    Ok(ok(Some(ended)))
}

/// The language of a browser's `Accept-Language`, for a mail it asks for.
fn browser_locale(req: &HttpRequest) -> Locale {
    let tags = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let tags: Vec<&str> = tags
        .split(',')
        .take(16)
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    Locale::choose(Some(&tags.join(" ")))
}

#[utoipa::path(
    post, path = "/entity/email/verification", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new verification link is on its way (or, `email_verified: true`, the address is verified already and nothing is sent)", body = Done),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 404, description = "`not_found`: the server has no `[email]`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: three links per address per hour", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64, description = "seconds"))),
    ),
)]
pub async fn resend_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(Ok(Authorization::Bearer(token))) = Authorization::of(&req) else {
        return Err(ApiError::AccessTokenInvalid);
    };
    let (user, _, _) = token_user(state.store.as_ref(), &state.access_tokens, &token).await?;
    let recovery = state.recovery().ok_or(ApiError::MailNotConfigured)?;
    if !user.email_verified {
        recovery.count_verification(&user).await?;
        let locale = browser_locale(&req);
        post(
            &state,
            MailJob::Verify {
                user: user.clone(),
                locale,
            },
        );
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Done {
            stat: "ok",
            sessions_ended: None,
            email_verified: Some(user.email_verified),
        }))
}
