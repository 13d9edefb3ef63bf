//! `GET`/`POST /oauth/authorize`: the OpenID Connect authorization
//! endpoint (Core §3.1, RFC 6749 §4.1, RFC 7636, RFC 9207) for standard
//! clients. It shares the library's SSO session: a browser signed in on
//! any site of the client's family gets a code at once, with no page; one
//! that is not is shown the hosted sign-in page (`hosted.rs`), whose
//! sign-in creates the same session the library sites find at their next
//! check.

mod entered;
pub(crate) mod hosted;
mod request;
mod respond;

use actix_web::{HttpRequest, HttpResponse, web};

use super::cookie;
use crate::error::ApiError;
use crate::oauth::AuthorizeError;
use crate::pages;
use crate::routes::openapi::authorize_forms;
use crate::routes::params::{BODY_LIMIT, Params, read_form};
use crate::state::AppState;
use request::{Request, Target};
use sso_core::clock::unix_now;
use sso_core::domain::{
    Grant, SecretHash, Segment, SegmentSession, SessionBinding, SessionTarget, TOUCH_EVERY_SECS,
};

pub use hosted::{create, sign_in};
pub use respond::form_post_js;

pub const PATH: &str = "/oauth/authorize";

#[utoipa::path(
    get, path = "/oauth/authorize", tag = "oauth",
    description = "The OpenID Connect authorization endpoint (`response_type=code`). A browser signed in for the client's family is sent straight back with a code; otherwise the hosted sign-in (or, with `prompt=create`, create-account) page is shown. Answers go to the registered `redirect_uri` with `state` and `iss`, in the `response_mode` asked for.",
    params(authorize_forms::AuthorizeQuery),
    responses(
        (status = 200, description = "The hosted sign-in or create-account page, or the `form_post` page that posts the answer to the client", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `redirect_uri` with `code` (or `error`, `error_description`), `state` and `iss`, in the query or the fragment", headers(("Location" = String))),
        (status = 400, description = "The client or `redirect_uri` is missing, unknown or not registered, or `state` is too long: a page naming the catalog error, never a redirect", content_type = "text/html", body = String),
    ),
)]
pub async fn authorize(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    match Params::from_query(req.query_string()) {
        Ok(p) => answer(&state, &req, &p).await,
        Err(err) => pages::error(&err, &super::look(&state, None)),
    }
}

#[utoipa::path(
    post, path = "/oauth/authorize", tag = "oauth",
    description = "The same as `GET`, with the parameters as a form (OpenID Connect Core §3.1.2.1).",
    request_body(content = authorize_forms::AuthorizeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The hosted sign-in or create-account page, or the `form_post` page", content_type = "text/html", body = String),
        (status = 303, description = "To the registered `redirect_uri` with the answer", headers(("Location" = String))),
        (status = 400, description = "A page naming the catalog error, never a redirect", content_type = "text/html", body = String),
        (status = 408, description = "A page: `request_timeout`", content_type = "text/html", body = String),
        (status = 413, description = "A page: `payload_too_large`", content_type = "text/html", body = String),
    ),
)]
pub async fn authorize_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match read_form(&req, payload, BODY_LIMIT).await {
        Ok(form) => answer(&state, &req, &Params::new(form)).await,
        Err(err) => pages::error(&err.into(), &super::look(&state, None)),
    }
}

async fn answer(state: &AppState, req: &HttpRequest, p: &Params<'_>) -> HttpResponse {
    let target = match Target::resolve(&state.settings, p) {
        Ok(target) => target,
        Err(err) => return pages::error(&err, &super::look(state, Some(p))),
    };
    let issuer = state.settings.issuer();
    let request = match Request::parse(state, p, &target) {
        Ok(request) => request,
        Err(err) => return respond::error(issuer, &target, &err),
    };
    match decide(state, req, &target, &request).await {
        Ok(response) => response,
        Err(err) => respond::error(issuer, &target, &err),
    }
}

/// A code at once, `login_required`, or the hosted page.
async fn decide(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    request: &Request<'_>,
) -> Result<HttpResponse, AuthorizeError> {
    let prompt = request.prompt;
    // No consent screen: the family's clients are the operator's own.
    if prompt.consent {
        return Err(AuthorizeError::ConsentRequired);
    }
    let now = unix_now();
    let found = signed_in(state, req, target.client)
        .await?
        .filter(|(_, _, s)| {
            !prompt.forces_sign_in()
            && !prompt.create
            // `max_age=0` is `prompt=login` (Core §3.1.2.1).
            && request.max_age.is_none_or(|max| max > 0 && now - s.created <= max)
            && request
                .hint
                .as_ref()
                .is_none_or(|h| h.subject == s.user.id.to_string())
        });
    match found {
        Some((sid, segment, session)) => {
            let code = issue(state, target, request, &sid, &segment, &session).await?;
            tracing::info!(user = %session.user.id, client = %target.client.id, %segment, "silent authorization");
            Ok(respond::code(
                state.settings.issuer(),
                target,
                &code,
                request.locale,
            ))
        }
        None if prompt.none => Err(AuthorizeError::LoginRequired),
        None => Ok(hosted::first_view(
            state,
            req,
            target,
            request,
            prompt.create,
        )),
    }
}

/// The browser's sign-in in a segment the client may use: its own first
/// (also what the passkey pages act for).
pub(crate) async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    client: &sso_core::config::Client,
) -> Result<Option<(SecretHash, Segment, SegmentSession)>, ApiError> {
    let Some(secret) = cookie::read(req, &state.settings) else {
        return Ok(None);
    };
    let sid = secret.sid();
    let mut session = state.store.session(&sid).await?.without_expired(unix_now());
    let segment = std::iter::once(&client.segment)
        .chain(client.federates_with.iter())
        .find(|s| session.segments.contains_key(*s))
        .cloned();
    Ok(segment.and_then(|segment| {
        let found = session.segments.remove(&segment)?;
        Some((sid.for_person(found.user.id), segment, found))
    }))
}

/// A code for the sign-in `session`, recording the client's visit (so its
/// end reaches the client by back channel) and the sign-in's use: on a
/// repeat visit within the minute, no store write at all.
async fn issue(
    state: &AppState,
    target: &Target<'_>,
    request: &Request<'_>,
    sid: &SecretHash,
    segment: &Segment,
    session: &SegmentSession,
) -> Result<String, ApiError> {
    let client = target.client;
    let store = state.store.as_ref();
    let flow = state.settings.first_flow(client);
    if !sso_core::accounts::may_receive(store, client, flow, session.user.id).await? {
        return Err(ApiError::EmailNotVerified);
    }
    let grant = Grant {
        user: session.user.clone(),
        client: client.id.clone(),
        redirect_uri: Some(target.redirect_uri.to_owned()),
        keep_me_logged_in: session.keep_me_logged_in,
        auth_time: session.created,
        method: session.method,
        flow: flow.map(|f| f.name.clone()),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        session: Some(SessionBinding {
            sid: sid.clone(),
            segment: segment.clone(),
        }),
        sid: Some(session.id.clone()),
    };
    let visit = async {
        if session.visits.contains_key(&client.id) {
            return Ok(());
        }
        store.record_visit(sid, segment, &client.id, 0).await
    };
    let now = unix_now();
    let touch = async {
        if now - session.last_used < TOUCH_EVERY_SECS {
            return Ok(());
        }
        let at = SessionTarget::Browser {
            sid: sid.clone(),
            segment: segment.clone(),
        };
        store
            .touch_session(session.user.id, &session.id, &at, now)
            .await
    };
    let (visited, touched) = tokio::join!(visit, touch);
    visited?;
    touched?;
    // Sealed: no store write of its own.
    Ok(state.codes.issue(&state.settings, &grant))
}
