//! `GET`/`POST /oauth/logout`: OpenID Connect RP-Initiated Logout 1.0, the
//! `end_session_endpoint`. A standard client sends the browser here to end
//! the family's sign-in: with an `id_token_hint` for the browser's current
//! sign-in it ends at once; otherwise the person confirms on a page of the
//! server (its form carries a token bound to the cookie, so a hostile page
//! cannot sign anyone out). The sign-in ends in every segment the client
//! may use (library sites find no session at their next check) and every
//! client that used it is told by back channel. The browser goes back only
//! to a `post_logout_redirect_uri` the client registered, else it is shown
//! the signed-out page; an error is a page, never a redirect.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{cookie, login_status};
use crate::error::ApiError;
use crate::pages::{self, BrandStyle, Csp, Locale};
use crate::routes::openapi::oidc_forms;
use crate::routes::params::{BODY_LIMIT, Params, read_form};
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::config::Client;
use sso_core::confirmations::Purpose;
use sso_core::domain::{ClientId, FieldError};
use sso_core::oidc::{IdTokenHint, read_id_token_hint};
use sso_core::sessions;

pub const PATH: &str = "/oauth/logout";

/// `state` and `ui_locales` are opaque to us: bounded, not parsed.
const STATE_LIMIT: usize = 1024;

#[utoipa::path(
    get, path = "/oauth/logout", tag = "oauth",
    description = "OpenID Connect RP-Initiated Logout: ends the browser's sign-in for the client's family. With an `id_token_hint` of the current sign-in, at once; otherwise after the person confirms on a page of the server. Then to the registered `post_logout_redirect_uri` (with `state`), or the signed-out page.",
    params(oidc_forms::RpLogoutQuery),
    responses(
        (status = 200, description = "The confirmation page, or the signed-out page", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `post_logout_redirect_uri`, with `state`", headers(("Location" = String))),
        (status = 400, description = "A page naming the catalog error (unknown client, unregistered URI, a hint this server did not sign, …); never a redirect", content_type = "text/html", body = String),
        (status = 503, description = "A page: `store_unavailable`", content_type = "text/html", body = String),
    ),
)]
pub async fn end_session(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    match Params::from_query(req.query_string()) {
        Ok(p) => answer(&state, &req, &p, false).await,
        Err(err) => pages::error(&err, &super::look(&state, None)),
    }
}

#[utoipa::path(
    post, path = "/oauth/logout", tag = "oauth",
    description = "The same as `GET`, with the parameters as a form; the confirmation page posts here with its `confirm` token.",
    request_body(content = oidc_forms::RpLogoutForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The confirmation page, or the signed-out page", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `post_logout_redirect_uri`, with `state`", headers(("Location" = String))),
        (status = 400, description = "A page naming the catalog error; never a redirect", content_type = "text/html", body = String),
        (status = 403, description = "A page: `confirmation_invalid`, a `confirm` that is not this browser's for this client; nothing ends", content_type = "text/html", body = String),
        (status = 408, description = "A page: `request_timeout`", content_type = "text/html", body = String),
        (status = 413, description = "A page: `payload_too_large`", content_type = "text/html", body = String),
        (status = 503, description = "A page: `store_unavailable`", content_type = "text/html", body = String),
    ),
)]
pub async fn end_session_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match read_form(&req, payload, BODY_LIMIT).await {
        Ok(form) => answer(&state, &req, &Params::new(form), true).await,
        Err(err) => pages::error(&err.into(), &super::look(&state, None)),
    }
}

/// The request, checked: whom to end and where to go after.
struct Request<'a> {
    client: &'a Client,
    hint: Option<IdTokenHint>,
    back_to: Option<&'a str>,
    state: Option<&'a str>,
    ui_locales: Option<&'a str>,
}

async fn answer(state: &AppState, req: &HttpRequest, p: &Params<'_>, posted: bool) -> HttpResponse {
    let checked = match checked(state, p) {
        Ok(checked) => checked,
        Err(err) => return pages::error(&err, &super::look(state, Some(p))),
    };
    match end(state, req, p, posted, &checked).await {
        Ok(response) => response,
        Err(err) => pages::error(&err, &super::look(state, Some(p))),
    }
}

fn checked<'a>(state: &'a AppState, p: &'a Params<'_>) -> Result<Request<'a>, ApiError> {
    let settings = &state.settings;
    let hint = p
        .optional("id_token_hint")?
        .map(|t| read_id_token_hint(t, settings.issuer(), &state.id_tokens))
        .transpose()
        .map_err(|_| {
            ApiError::invalid(
                "id_token_hint",
                FieldError::Malformed("an ID token this server issued"),
            )
        })?;
    let named = p.optional("client_id")?;
    let client_id = match (named, &hint) {
        (Some(named), Some(hint)) if named != hint.client => {
            return Err(ApiError::invalid(
                "client_id",
                FieldError::Malformed("the client the id_token_hint was issued to"),
            ));
        }
        (Some(id), _) => id,
        (None, Some(hint)) => hint.client.as_str(),
        (None, None) => return Err(ApiError::MissingArgument("client_id")),
    };
    let client = ClientId::parse(client_id)
        .ok()
        .and_then(|id| settings.client(&id))
        .ok_or_else(|| ApiError::UnknownClient(ApiError::echo(client_id)))?;
    let back_to = p.optional("post_logout_redirect_uri")?;
    if let Some(uri) = back_to
        && !client.post_logout_redirect_uris.iter().any(|u| u == uri)
    {
        return Err(ApiError::UrlNotRegistered("post_logout_redirect_uri"));
    }
    let bounded = |name: &'static str| -> Result<Option<&'a str>, ApiError> {
        match p.optional(name)? {
            Some(v) if v.len() > STATE_LIMIT => {
                Err(ApiError::invalid(name, FieldError::TooLong(STATE_LIMIT)))
            }
            other => Ok(other),
        }
    };
    let state_param = bounded("state")?;
    let ui_locales = bounded("ui_locales")?;
    Ok(Request {
        client,
        hint,
        back_to,
        state: state_param,
        ui_locales,
    })
}

async fn end(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    posted: bool,
    r: &Request<'_>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let Some(secret) = cookie::read(req, settings) else {
        return Ok(finish(r)); // nobody is signed in here: nothing to end
    };
    let sid = secret.sid();
    let segments: Vec<_> = r.client.federates_with.iter().cloned().collect();
    let session = state.store.session(&sid).await?.without_expired(unix_now());
    let signed_in: Vec<_> = segments
        .iter()
        .filter_map(|s| session.segments.get(s))
        .collect();
    let Some(first) = signed_in.first() else {
        return Ok(finish(r));
    };
    let confirmations = &state.confirmations;
    let confirmed = match p.optional("confirm")? {
        Some(token) if posted => {
            if !confirmations.verify(Purpose::EndSession, &sid, &r.client.id, token) {
                return Err(ApiError::ConfirmationInvalid("sign-out"));
            }
            true
        }
        _ => r.hint.as_ref().is_some_and(|hint| {
            signed_in.iter().any(|s| {
                hint.sid.as_deref() == Some(s.id.as_str()) && hint.subject == s.user.id.to_string()
            })
        }),
    };
    if !confirmed {
        let token = confirmations.token(Purpose::EndSession, &sid, &r.client.id);
        let style = BrandStyle::of(&r.client.branding);
        let page = pages::EndSessionConfirm {
            t: Locale::choose(r.ui_locales).text(),
            brand: &r.client.branding,
            style: &style,
            action: PATH,
            person: &first.user.email,
            confirm: &token,
            client_id: r.client.id.as_str(),
            post_logout_redirect_uri: r.back_to,
            state: r.state,
            ui_locales: r.ui_locales,
        };
        let form_action = r.back_to.and_then(origin_of);
        let csp = Csp {
            form_action: form_action.as_deref(),
            ..style.csp()
        };
        return Ok(pages::page_with(StatusCode::OK, &page, &csp));
    }
    let removal = sessions::sign_out_browser(state.sessions(), &sid, &segments).await?;
    tracing::info!(client = %r.client.id, sign_ins = removal.removed.segments.len(), "RP-initiated logout");
    let mut response = finish(r);
    if removal.session_gone {
        response
            .add_cookie(&cookie::removal(settings))
            .map_err(|_| ApiError::Internal)?;
        login_status::signed_out(&mut response);
    }
    Ok(response)
}

/// Back to the client's registered URI with `state`, or the signed-out page.
fn finish(r: &Request<'_>) -> HttpResponse {
    let Some(uri) = r.back_to else {
        let style = BrandStyle::of(&r.client.branding);
        let page = pages::SignedOut {
            t: Locale::choose(r.ui_locales).text(),
            brand: &r.client.branding,
            style: &style,
        };
        let csp = style.csp();
        return pages::page_with(StatusCode::OK, &page, &csp);
    };
    let mut location = uri.to_owned();
    if let Some(state) = r.state {
        location.push(if uri.contains('?') { '&' } else { '?' });
        let pair = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", state)
            .finish();
        location.push_str(&pair);
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// `scheme://host[:port]` of a registered URI, for the page's CSP.
fn origin_of(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    Some(url.origin().ascii_serialization())
}
