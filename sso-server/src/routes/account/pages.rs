//! The hosted pages: GET shows a form, POST acts. The links in the mails
//! open a form rather than act, so a mail scanner that follows links spends
//! nothing.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{FORGOT_PATH, MailJob, RESET_PATH, VERIFY_PATH, post, sign_out_everywhere};
use crate::error::ApiError;
use crate::pages::account::{self as page, ForgotView, NoticeText};
use crate::pages::{self, Look};
use crate::routes::openapi::account_forms;
use crate::routes::params::{BODY_LIMIT, Params, read_form};
use crate::state::AppState;
use sso_core::domain::{Email, Password};
use sso_core::rate_limit::RateLimitError;
use sso_core::recovery::{Recovery, RecoveryError};

/// `ui_locales`, bounded like the authorization endpoint's.
fn ui_locales<'a>(p: &'a Params<'_>) -> Option<&'a str> {
    p.optional("ui_locales")
        .ok()
        .flatten()
        .filter(|l| l.len() <= 256)
}

fn look<'a>(state: &'a AppState, p: &Params<'_>) -> Look<'a> {
    Look::new(&state.settings.branding, ui_locales(p))
}

/// The query's parameters, or the error page.
fn query(req: &HttpRequest) -> Result<Params<'_>, ApiError> {
    Params::from_query(req.query_string())
}

async fn body(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Params<'static>, ApiError> {
    // These pages post to themselves only: a form posted from another site
    // is refused. Browsers say where a request comes from in
    // `Sec-Fetch-Site`; our pages send no referrer, so their `Origin` is
    // `null` and only another origin's is checked.
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let fetch_site = header("sec-fetch-site");
    let origin = header("origin").filter(|o| *o != "null");
    let own = state.settings.public_url.origin().ascii_serialization();
    let foreign = fetch_site.is_some_and(|s| s != "same-origin" && s != "none")
        || origin.is_some_and(|o| o != own);
    if foreign {
        let from = origin.or(fetch_site).unwrap_or("");
        return Err(ApiError::OriginNotAllowed(ApiError::echo(from)));
    }
    let form = read_form(req, payload, BODY_LIMIT)
        .await
        .map_err(|e| ApiError::UnreadableRequest(e.to_string()))?;
    Ok(Params::new(form))
}

/// What every POST of these pages starts with: the mailed-link service
/// (a page saying the server sends no mail without it) and the form.
async fn posted<'s>(
    state: &'s AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(Recovery<'s>, Params<'static>), HttpResponse> {
    let (Some(recovery), true) = (state.recovery(), state.mailer.is_some()) else {
        return Err(error_page(state, &ApiError::MailNotConfigured));
    };
    match body(state, req, payload).await {
        Ok(p) => Ok((recovery, p)),
        Err(e) => Err(error_page(state, &e)),
    }
}

/// A mailed link's page: `show` with its token, or "this link does not
/// work" for a token that cannot be one of ours.
fn link_page(
    state: &AppState,
    req: &HttpRequest,
    show: impl FnOnce(&Look<'_>, &str, Option<&str>) -> HttpResponse,
) -> HttpResponse {
    let p = match query(req) {
        Ok(p) => p,
        Err(e) => return error_page(state, &e),
    };
    let look = look(state, &p);
    match p.optional("token").ok().flatten() {
        Some(token) if sso_core::domain::Secret::parse(token).is_ok() => {
            show(&look, token, ui_locales(&p))
        }
        _ => link_invalid(&look),
    }
}

fn error_page(state: &AppState, err: &ApiError) -> HttpResponse {
    pages::error(err, &Look::new(&state.settings.branding, None))
}

fn link_invalid(look: &Look<'_>) -> HttpResponse {
    let t = look.locale.text();
    page::notice(
        StatusCode::BAD_REQUEST,
        look,
        NoticeText {
            title: t.link_invalid_title,
            message: t.link_invalid_note,
            alert: true,
            link: Some((FORGOT_PATH, t.forgot_link)),
        },
    )
}

/// `GET /account/forgot`.
#[utoipa::path(
    get, path = "/account/forgot", tag = "account",
    description = "The \"forgot password\" form (the hosted sign-in page links to it).",
    params(account_forms::LanguageQuery),
    responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
        (status = 400, description = "A page: a parameter is repeated", content_type = "text/html", body = String),
        (status = 404, description = "A page: `not_found` (the server has no `[email]`)", content_type = "text/html", body = String),
    ),
)]
pub async fn forgot_form(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if state.mailer.is_none() {
        return error_page(&state, &ApiError::MailNotConfigured);
    }
    let p = match query(&req) {
        Ok(p) => p,
        Err(e) => return error_page(&state, &e),
    };
    let look = look(&state, &p);
    page::forgot(
        StatusCode::OK,
        &look,
        FORGOT_PATH,
        ui_locales(&p),
        ForgotView::default(),
    )
}

/// `POST /account/forgot`: the same notice whether or not an account has
/// the address.
#[utoipa::path(
    post, path = "/account/forgot", tag = "account",
    description = "Sends a reset link if an account has the address; the same page either way.",
    request_body(content = account_forms::HostedForgotForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "If an account has the address, a link is on its way", content_type = "text/html", body = String),
        account_forms::FormPageAnswers,
        (status = 429, description = "The form again: too many requests from this address or for this email", content_type = "text/html", body = String),
    ),
)]
pub async fn forgot_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (recovery, p) = match posted(&state, &req, payload).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let look = look(&state, &p);
    let t = look.locale.text();
    let raw = p.optional("email").ok().flatten().unwrap_or("");
    let again = |status, email_error, problem| {
        let view = ForgotView {
            email: raw,
            email_error,
            problem,
        };
        page::forgot(status, &look, FORGOT_PATH, ui_locales(&p), view)
    };
    let email = match Email::parse(raw) {
        Ok(e) => e,
        Err(problem) => {
            return again(
                StatusCode::BAD_REQUEST,
                Some(t.field_error("email", &problem)),
                None,
            );
        }
    };
    let ip = req.peer_addr().map(|a| a.ip());
    match recovery.count_forgot(&email, ip).await {
        Ok(()) => {}
        Err(RecoveryError::RateLimited(RateLimitError::Limited(secs))) => {
            let mut page = again(StatusCode::TOO_MANY_REQUESTS, None, Some(t.rate_limited));
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                page.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return page;
        }
        Err(e) => return page_unavailable(&look, &e),
    }
    post(
        &state,
        MailJob::Reset {
            email,
            locale: look.locale,
        },
    );
    let minutes = (recovery.email.reset_ttl.as_secs() / 60).max(1).to_string();
    let message = t.forgot_sent.replace("{minutes}", &minutes);
    page::notice(
        StatusCode::OK,
        &look,
        NoticeText {
            title: t.forgot_title,
            message: &message,
            alert: false,
            link: None,
        },
    )
}

/// `GET /account/reset?token=…`: the new-password form.
#[utoipa::path(
    get, path = "/account/reset", tag = "account",
    description = "The page of a mailed reset link: a new-password form (opening it spends nothing).",
    params(account_forms::LinkQuery),
    responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
        (status = 400, description = "A page: the link is not valid, or a parameter is repeated", content_type = "text/html", body = String),
    ),
)]
pub async fn reset_form(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    link_page(&state, &req, |look, token, ui_locales| {
        page::reset(
            StatusCode::OK,
            look,
            RESET_PATH,
            token,
            ui_locales,
            None,
            None,
        )
    })
}

/// `POST /account/reset`: sets the password, then signs the person out
/// everywhere.
#[utoipa::path(
    post, path = "/account/reset", tag = "account",
    description = "Sets the new password, ends every sign-in of the person (back-channel logouts) and refuses their access tokens.",
    request_body(content = account_forms::HostedResetForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The password is changed", content_type = "text/html", body = String),
        account_forms::FormPageAnswers,
    ),
)]
pub async fn reset_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (recovery, p) = match posted(&state, &req, payload).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let look = look(&state, &p);
    let t = look.locale.text();
    let token = p.optional("token").ok().flatten().unwrap_or("");
    let again = |error: Option<String>, problem: Option<&str>| {
        page::reset(
            StatusCode::BAD_REQUEST,
            &look,
            RESET_PATH,
            token,
            ui_locales(&p),
            error,
            problem,
        )
    };
    let raw = p.optional("new_password").ok().flatten().unwrap_or("");
    let password = match Password::parse(raw) {
        Ok(pw) => pw,
        Err(problem) => return again(Some(t.field_error("new_password", &problem)), None),
    };
    let user = match recovery.reset(token, password).await {
        Ok(user) => user,
        Err(RecoveryError::LinkInvalid) => return link_invalid(&look),
        Err(RecoveryError::PasswordIsEmail) => {
            return again(Some(t.password_is_email.to_owned()), None);
        }
        Err(e) => return page_unavailable(&look, &e),
    };
    if let Err(e) = sign_out_everywhere(&state, &user).await {
        return page_unavailable(&look, &RecoveryError::Store(e));
    }
    page::notice(
        StatusCode::OK,
        &look,
        NoticeText {
            title: t.reset_done_title,
            message: t.reset_done_note,
            alert: false,
            link: None,
        },
    )
}

fn page_unavailable(look: &Look<'_>, err: &RecoveryError) -> HttpResponse {
    tracing::error!(error = %err, "a mailed-link page could not be served");
    let t = look.locale.text();
    page::notice(
        StatusCode::SERVICE_UNAVAILABLE,
        look,
        NoticeText {
            title: t.error_title,
            message: t.unavailable,
            alert: true,
            link: None,
        },
    )
}

/// `GET /account/verify?token=…`: the confirm button.
#[utoipa::path(
    get, path = "/account/verify", tag = "account",
    description = "The page of a mailed verification link: a confirm button (opening it spends nothing).",
    params(account_forms::LinkQuery),
    responses(
        (status = 200, description = "The form", content_type = "text/html", body = String),
        (status = 400, description = "A page: the link is not valid, or a parameter is repeated", content_type = "text/html", body = String),
    ),
)]
pub async fn verify_form(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    link_page(&state, &req, |look, token, ui_locales| {
        page::verify(look, VERIFY_PATH, token, ui_locales)
    })
}

/// `POST /account/verify`: marks the address verified.
#[utoipa::path(
    post, path = "/account/verify", tag = "account",
    description = "Marks the address verified (`email_verified` in ID tokens and `/entity`).",
    request_body(content = account_forms::HostedVerifyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The address is confirmed", content_type = "text/html", body = String),
        account_forms::FormPageAnswers,
    ),
)]
pub async fn verify_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (recovery, p) = match posted(&state, &req, payload).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let look = look(&state, &p);
    let t = look.locale.text();
    match recovery
        .verify(p.optional("token").ok().flatten().unwrap_or(""))
        .await
    {
        Ok(user) => {
            tracing::info!(user = %user.id, "email address verified");
            page::notice(
                StatusCode::OK,
                &look,
                NoticeText {
                    title: t.verified_title,
                    message: t.verified_note,
                    alert: false,
                    link: None,
                },
            )
        }
        Err(RecoveryError::LinkInvalid) => link_invalid(&look),
        Err(e) => page_unavailable(&look, &e),
    }
}
