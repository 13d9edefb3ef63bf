//! `GET /sso/set`: redeem an `sso_code` from the registration API and sign
//! this browser in to the client's segment under a fresh cookie value.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Target, cookie, serve, storage_access_blocked};
use crate::clock::unix_now;
use crate::domain::{CodeKind, SegmentSession};
use crate::error::ApiError;
use crate::metrics;
use crate::routes::params::Params;
use crate::secrets::Secret;
use crate::startup::AppState;
use crate::tokens::redeem_code;

const ACTION: &str = "ssoSetSession";

pub async fn set(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    serve(&state, &req, answer).await
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let client = target.client;
    // Validated only: a set always signs in to the client's own segment.
    target.segments(p)?;
    let logout_index = target.logout_index(p)?;
    let code = p.parse("sso_code", Secret::parse)?;
    let old = cookie::read(req, settings);
    // A frame that cannot keep cookies cannot be signed in: answer before
    // taking the code, so the library can retry it with a top-level redirect.
    if old.is_none() && storage_access_blocked(req) {
        return Ok(target.deliver(&target.blocked(ACTION)));
    }

    let grant = redeem_code(state, CodeKind::SsoCode, &code, &client.id).await?;

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
    session.segments.insert(
        client.segment.clone(),
        SegmentSession {
            user: grant.user.clone(),
            created: now,
            expires,
            keep_me_logged_in: grant.keep_me_logged_in,
            visits: [(client.id.clone(), logout_index)].into(),
        },
    );

    // Rotate: the session moves to a new cookie value at every sign-in, so a
    // value planted or seen before sign-in is worthless afterwards.
    let latest = session.expires().unwrap_or(expires);
    let keep_for = std::time::Duration::from_secs(u64::try_from(latest - now).unwrap_or(1));
    let secret = Secret::generate();
    state
        .store
        .save_session(&secret.hash(), &session, keep_for)
        .await?;
    if let Some(old) = &old {
        state.store.delete_session(&old.hash()).await?;
    }
    metrics::global().sessions_created.inc();
    tracing::info!(user = %grant.user.id, client = %client.id, segment = %client.segment, "sso session set");

    // Persistent as long as any segment asked to be kept.
    let persistent = session.segments.values().any(|s| s.keep_me_logged_in);
    let cookie = cookie::issue(settings, &secret, persistent.then_some(latest - now));
    let result = target.ok(
        ACTION,
        "success",
        "ssoSessionSet",
        json!({ "keepMeLoggedIn": grant.keep_me_logged_in }),
    );
    let mut response = target.deliver(&result);
    response
        .add_cookie(&cookie)
        .map_err(|_| ApiError::Internal)?;
    Ok(response)
}
