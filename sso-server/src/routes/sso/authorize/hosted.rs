//! The hosted sign-in and create-account pages of the authorization
//! endpoint, and their POSTs. Each form carries the authorization request
//! in hidden fields and a token bound to that request and to a cookie of
//! the form's own, so a hostile page can neither post a form for the
//! person nor swap the request it carries. Accounts are checked by
//! `sso_core::accounts`, with the registration API's throttles and hashing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::entered::{Shown, credentials, new_account, passkey_answer, passkey_user, text_field};
use super::request::{Request, Target};
use super::{PATH, issue, respond};
use crate::error::ApiError;
use crate::oauth::AuthorizeError;
use crate::pages::{self, BrandStyle, Csp, Text};
use crate::routes::account;
use crate::routes::openapi::authorize_forms;
use crate::routes::params::{BODY_LIMIT, Params, read_form};
use crate::routes::sso::{cookie, establish, login_status, look};
use crate::state::AppState;
use sso_core::accounts::AccountError;
use sso_core::clock::unix_now;
use sso_core::config::Branding;
use sso_core::confirmations::Purpose;
use sso_core::domain::{AuthMethod, Grant, User};

pub const SIGN_IN_PATH: &str = "/oauth/authorize/sign-in";
pub const CREATE_PATH: &str = "/oauth/authorize/create";
/// The sign-in page's passkey challenge (`routes::passkeys::sign_in`).
const PASSKEY_PATH: &str = "/oauth/authorize/passkey";

struct FormView<'a> {
    action: &'static str,
    carried: &'a [(&'static str, &'a str)],
    token: String,
    other_page: String,
    /// "Forgot your password?", where the server sends mail.
    forgot_page: Option<String>,
    /// Where the page's script gets a passkey challenge (passkeys on).
    passkey_challenge: Option<&'static str>,
    passkey_script: &'static str,
    /// A passkey was just refused: no autofill request again by itself.
    passkey_refused: bool,
    email: String,
    display_name: String,
    problem: Option<&'static str>,
    email_error: Option<String>,
    password_error: Option<String>,
    display_name_error: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    site: &'a str,
    form: FormView<'a>,
}

#[derive(Template)]
#[template(path = "create_account.html")]
struct CreatePage<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    site: &'a str,
    form: FormView<'a>,
}

/// The page the endpoint shows a browser that must sign in.
pub(super) fn first_view(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    request: &Request<'_>,
    create: bool,
) -> HttpResponse {
    let shown = Shown {
        email: request.login_hint.clone().unwrap_or_default(),
        ..Shown::default()
    };
    show(state, req, target, request, create, shown, StatusCode::OK)
}

fn show(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    request: &Request<'_>,
    create: bool,
    shown: Shown,
    status: StatusCode,
) -> HttpResponse {
    let client = target.client;
    let (bound, new_cookie) = match cookie::read_form(req, &state.settings) {
        Some(secret) => (secret, None),
        None => {
            let secret = sso_core::domain::Secret::generate();
            let issued = cookie::issue_form(&state.settings, &secret);
            (secret, Some(issued))
        }
    };
    let token = state.confirmations.token_for(
        Purpose::Authorize,
        &bound.hash(),
        &client.id,
        &request.canonical(),
    );
    let other_prompt = if create { "login" } else { "create" };
    let form = FormView {
        action: if create { CREATE_PATH } else { SIGN_IN_PATH },
        carried: &request.carried,
        token,
        other_page: format!("{PATH}?{}", request.query_with(&[("prompt", other_prompt)])),
        forgot_page: state.mailer.is_some().then(|| {
            let lang = request.locale.text().lang;
            format!("{}?ui_locales={lang}", account::FORGOT_PATH)
        }),
        passkey_challenge: (!create && state.passkeys.is_some()).then_some(PASSKEY_PATH),
        passkey_script: crate::routes::passkeys::page::SCRIPT_PATH,
        passkey_refused: shown.problem == Some(request.locale.text().passkey_refused),
        email: shown.email,
        display_name: shown.display_name,
        problem: shown.problem,
        email_error: shown.email_error,
        password_error: shown.password_error,
        display_name_error: shown.display_name_error,
    };
    let brand = &client.branding;
    let style = BrandStyle::of(brand);
    let redirect = url::Url::parse(target.redirect_uri).ok();
    let site = redirect
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or_default();
    let redirect_origin = redirect
        .as_ref()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    // The sign-in's answer is a redirect to the client, which browsers
    // hold to `form-action`.
    let scripted = form.passkey_challenge.is_some();
    let csp = Csp {
        form_action: Some(&redirect_origin),
        script_self: scripted,
        connect_self: scripted,
        ..style.csp()
    };
    let t = request.locale.text();
    let mut response = if create {
        let page = CreatePage {
            t,
            brand,
            style: &style,
            site,
            form,
        };
        pages::page_with(status, &page, &csp)
    } else {
        let page = SignInPage {
            t,
            brand,
            style: &style,
            site,
            form,
        };
        pages::page_with(status, &page, &csp)
    };
    if let Some(c) = new_cookie {
        let _ = response.add_cookie(&c);
    }
    response
}

#[utoipa::path(
    post, path = "/oauth/authorize/sign-in", tag = "oauth",
    description = "The hosted sign-in page's form: the authorization request it carries, its `form_token`, and the person's email and password. Success signs the browser in for the family (the library sites find the session at their next check) and answers the client with a code.",
    request_body(content = authorize_forms::HostedSignInForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The `form_post` page that posts the code to the client", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `redirect_uri` with `code` (or an error), `state` and `iss`", headers(("Location" = String))),
        (status = 400, description = "The page again with the refused fields named, or (the client or `redirect_uri` wrong) the error page", content_type = "text/html", body = String),
        (status = 401, description = "The page again: wrong email or password", content_type = "text/html", body = String),
        (status = 403, description = "The page again: the form's token is not this browser's for this request (expired, or from another page)", content_type = "text/html", body = String),
        (status = 408, description = "A page: `request_timeout`", content_type = "text/html", body = String),
        (status = 413, description = "A page: `payload_too_large`", content_type = "text/html", body = String),
        (status = 429, description = "The page again: too many attempts from this address or for this account", content_type = "text/html", body = String, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "The page again: the store is unavailable", content_type = "text/html", body = String),
    ),
)]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    posted(&state, &req, payload, false).await
}

#[utoipa::path(
    post, path = "/oauth/authorize/create", tag = "oauth",
    description = "The hosted create-account page's form: as the sign-in form, with the person's name and a new password. Success creates the account, signs the browser in for the family and answers the client with a code.",
    request_body(content = authorize_forms::HostedCreateForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The `form_post` page that posts the code to the client", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `redirect_uri` with `code` (or an error), `state` and `iss`", headers(("Location" = String))),
        (status = 400, description = "The page again with the refused fields named, or (the client or `redirect_uri` wrong) the error page", content_type = "text/html", body = String),
        (status = 403, description = "The page again: the form's token is not this browser's for this request", content_type = "text/html", body = String),
        (status = 408, description = "A page: `request_timeout`", content_type = "text/html", body = String),
        (status = 409, description = "The page again: an account with this email address exists", content_type = "text/html", body = String),
        (status = 413, description = "A page: `payload_too_large`", content_type = "text/html", body = String),
        (status = 429, description = "The page again: too many attempts from this address", content_type = "text/html", body = String, headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, description = "The page again: the store is unavailable", content_type = "text/html", body = String),
    ),
)]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    posted(&state, &req, payload, true).await
}

async fn posted(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
    create: bool,
) -> HttpResponse {
    let p = match read_form(req, payload, BODY_LIMIT).await {
        Ok(form) => Params::new(form),
        Err(err) => return pages::error(&err.into(), &look(state, None)),
    };
    let target = match Target::resolve(&state.settings, &p) {
        Ok(target) => target,
        Err(err) => return pages::error(&err, &look(state, Some(&p))),
    };
    let issuer = state.settings.issuer();
    let request = match Request::parse(state, &p, &target) {
        Ok(request) => request,
        Err(err) => return respond::error(issuer, &target, &err),
    };
    let again = |shown: Shown, status: StatusCode| {
        show(state, req, &target, &request, create, shown, status)
    };
    let t = request.locale.text();
    let mut shown = Shown {
        email: text_field(&p, "email"),
        display_name: text_field(&p, "display_name"),
        ..Shown::default()
    };
    let token_ok = cookie::read_form(req, &state.settings).is_some_and(|bound| {
        p.optional("form_token")
            .ok()
            .flatten()
            .is_some_and(|token| {
                state.confirmations.verify_for(
                    Purpose::Authorize,
                    &bound.hash(),
                    &target.client.id,
                    &request.canonical(),
                    token,
                )
            })
    });
    if !token_ok {
        shown.problem = Some(t.form_expired);
        return again(shown, StatusCode::FORBIDDEN);
    }
    let accounts = state.accounts();
    if let Err(err) = accounts.attempt_from(req.peer_addr().map(|a| a.ip())).await {
        return refused(again, shown, t, err);
    }
    let keep = p.flag("keep_me_logged_in").unwrap_or(false);
    let mut method = AuthMethod::Password;
    let outcome = if create {
        let Some(new) = new_account(&p, &mut shown, t) else {
            return again(shown, StatusCode::BAD_REQUEST);
        };
        accounts.register(new).await
    } else if let Some(answer) = passkey_answer(&p) {
        match passkey_user(state, answer).await {
            Ok(Some(user)) => {
                method = AuthMethod::Passkey;
                Ok(user)
            }
            Ok(None) => {
                shown.problem = Some(t.passkey_refused);
                return again(shown, StatusCode::UNAUTHORIZED);
            }
            Err(err) => Err(AccountError::Store(err)),
        }
    } else {
        let Some((email, password)) = credentials(&p, &mut shown, t) else {
            return again(shown, StatusCode::BAD_REQUEST);
        };
        accounts.sign_in(&email, password).await
    };
    let user = match outcome {
        Ok(user) => user,
        Err(err) => return refused(again, shown, t, err),
    };
    tracing::info!(user = %user.id, client = %target.client.id, created = create, "hosted sign-in");
    if create {
        let (user, locale) = (user.clone(), request.locale);
        account::post(state, account::MailJob::Verify { user, locale });
    }
    match complete(state, req, &target, &request, &user, keep, method).await {
        Ok(response) => response,
        Err(err) => respond::error(issuer, &target, &AuthorizeError::from(err)),
    }
}

/// The page again, saying why the account was refused.
fn refused(
    again: impl FnOnce(Shown, StatusCode) -> HttpResponse,
    mut shown: Shown,
    t: &'static Text,
    err: AccountError,
) -> HttpResponse {
    let status = match err {
        AccountError::InvalidCredentials => {
            shown.problem = Some(t.wrong_credentials);
            StatusCode::UNAUTHORIZED
        }
        AccountError::EmailAddressInUse => {
            shown.email_error = Some(t.email_in_use.to_owned());
            StatusCode::CONFLICT
        }
        AccountError::PasswordIsEmail => {
            shown.password_error = Some(t.password_is_email.to_owned());
            StatusCode::BAD_REQUEST
        }
        AccountError::RateLimited(sso_core::rate_limit::RateLimitError::Limited(retry)) => {
            shown.problem = Some(t.rate_limited);
            let mut response = again(shown, StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
            return response;
        }
        other => {
            // Logged and counted as the registration API does.
            let _ = ApiError::from(other);
            shown.problem = Some(t.unavailable);
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    again(shown, status)
}

/// The browser signed in for the family, and the code to the client.
async fn complete(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    request: &Request<'_>,
    user: &User,
    keep: bool,
    method: AuthMethod,
) -> Result<HttpResponse, ApiError> {
    let client = target.client;
    let grant = Grant {
        user: user.profile(),
        client: client.id.clone(),
        redirect_uri: None,
        keep_me_logged_in: keep,
        auth_time: unix_now(),
        method,
        flow: None,
        code_challenge: None,
        nonce: None,
        session: None,
        sid: None,
    };
    let signed = establish::sign_in(state, req, client, &grant, 0).await?;
    let code = issue(
        state,
        target,
        request,
        &signed.sid.for_person(signed.segment.user.id),
        &client.segment,
        &signed.segment,
    )
    .await?;
    let mut response = respond::code(state.settings.issuer(), target, &code, request.locale);
    response
        .add_cookie(&signed.cookie)
        .map_err(|_| ApiError::Internal)?;
    login_status::signed_in(&mut response);
    Ok(response)
}
