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

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Target, cookie, login_status, serve, storage_access};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::backchannel;
use sso_core::clock::unix_now;
use sso_core::confirmations::Purpose;
use sso_core::domain::Secret;
use sso_core::domain::{
    BrowserSession, CodeKind, Grant, IndexEntry, PENDING_SIGN_IN_SECS, SegmentSession, SessionId,
    SessionTarget, UserId, device_label,
};
use sso_core::metrics;
use sso_core::sessions;
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

/// The sign-in itself: the grant's user in the client's segment, under a
/// fresh cookie value.
async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    target: &Target<'_>,
    grant: Grant,
    logout_index: u8,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let client = target.client;
    let old = cookie::read(req, settings);
    let now = unix_now();
    let mut session = match &old {
        Some(secret) => state
            .store
            .session(&secret.hash())
            .await?
            .without_expired(now),
        None => Default::default(),
    };
    let ttl = if grant.keep_me_logged_in {
        settings.cookie.persistent_ttl
    } else {
        settings.cookie.session_ttl
    };
    let expires = now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let before = session.clone();
    session.segments.insert(
        client.segment.clone(),
        SegmentSession {
            id: SessionId::generate(),
            user: grant.user.clone(),
            created: now,
            expires,
            last_used: now,
            keep_me_logged_in: grant.keep_me_logged_in,
            visits: [(client.id.clone(), logout_index)].into(),
        },
    );

    // Rotate: the session moves to a new cookie value at every sign-in, so a
    // value planted or seen before sign-in is worthless afterwards.
    let latest = session.expires().unwrap_or(expires);
    let keep_for = Duration::from_secs(u64::try_from(latest - now).unwrap_or(1));
    let secret = Secret::generate();
    let sid = secret.hash();
    let old_sid = old.as_ref().map(Secret::hash);
    // Every segment is indexed under the new value before it is written
    // (sso_core::sessions): each in place of its entry under the old value when
    // it stays with the same person.
    let device = device_label(
        req.headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    );
    let mut replaced_elsewhere = BrowserSession::default();
    let mut indexed: Vec<(UserId, IndexEntry)> = Vec::new();
    for (segment, seg) in &session.segments {
        let entry = IndexEntry {
            id: seg.id.clone(),
            target: SessionTarget::Browser {
                sid: sid.clone(),
                segment: segment.clone(),
            },
            created: seg.created,
            last_used: seg.last_used,
            expires: seg.expires,
            keep_me_logged_in: seg.keep_me_logged_in,
            device: device.clone(),
        };
        // A segment that moves with the cookie keeps its id (its entry is
        // rewritten in place); the one this sign-in replaces gives way.
        let mut replaces = Vec::new();
        if let Some(previous) = before.segments.get(segment)
            && previous.id != seg.id
        {
            if previous.user.id == seg.user.id {
                replaces.push(previous.id.clone());
            } else {
                // Another person's sign-in in this segment ends here.
                replaced_elsewhere
                    .segments
                    .insert(segment.clone(), previous.clone());
            }
        }
        sessions::start(state.sessions(), seg.user.id, &entry, &replaces).await?;
        indexed.push((seg.user.id, entry));
    }
    state.store.save_session(&sid, &session, keep_for).await?;
    for (user, entry) in &indexed {
        sessions::confirm_started(state.sessions(), *user, std::slice::from_ref(entry)).await?;
    }
    if let Some(old_sid) = &old_sid {
        state.store.delete_session(old_sid).await?;
        sessions::forget_removed(state.store.as_ref(), &replaced_elsewhere).await?;
        // The sign-ins this one replaced have ended: their sites' backends
        // are told (the ones that moved with the cookie have not).
        let mut ended = replaced_elsewhere;
        for (segment, previous) in &before.segments {
            if session
                .segments
                .get(segment)
                .is_some_and(|s| s.id != previous.id)
            {
                ended
                    .segments
                    .entry(segment.clone())
                    .or_insert_with(|| previous.clone());
            }
        }
        backchannel::announce(
            state.store.as_ref(),
            &state.settings,
            &state.backchannel,
            &ended,
        )
        .await?;
    }
    metrics::global().sessions_created.inc();
    tracing::info!(user = %grant.user.id, client = %client.id, segment = %client.segment, "sso session set");

    // Persistent as long as any segment asked to be kept.
    let persistent = session.segments.values().any(|s| s.keep_me_logged_in);
    let cookie = cookie::issue(settings, &secret, persistent.then_some(latest - now));
    let sign_out = state
        .confirmations
        .token(Purpose::SignOut, &secret.hash(), &client.id);
    let result = target.ok(
        ACTION,
        status::SUCCESS,
        "ssoSessionSet",
        json!({ "keepMeLoggedIn": grant.keep_me_logged_in, "signOutToken": sign_out }),
    );
    let mut response = target.deliver(&result);
    response
        .add_cookie(&cookie)
        .map_err(|_| ApiError::Internal)?;
    login_status::signed_in(&mut response);
    Ok(response)
}
