//! Signing a browser in: the grant's user in the client's segment, under a
//! fresh session cookie value. `/sso/set` (the library's sign-in) and the
//! hosted sign-in page of the authorization endpoint both end here.

use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;
use actix_web::http::header;

use super::cookie;
use crate::error::ApiError;
use crate::state::AppState;
use sso_core::backchannel;
use sso_core::clock::unix_now;
use sso_core::config::Client;
use sso_core::domain::{
    BrowserSession, Grant, IndexEntry, Secret, SecretHash, SegmentSession, SessionCookie,
    SessionId, SessionTarget, UserId, device_label,
};
use sso_core::metrics;
use sso_core::sessions;

/// The browser's new sign-in.
pub struct SignedIn {
    /// The session cookie to set.
    pub cookie: Cookie<'static>,
    /// The hash the store keys the session by.
    pub sid: SecretHash,
    /// The segment's new sign-in.
    pub segment: SegmentSession,
}

/// Signs the browser in to `client`'s segment as `grant`'s user. Every
/// sign-in moves the session to a new cookie value, so a value planted or
/// seen before is worthless afterwards.
pub async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
    grant: &Grant,
    logout_index: u8,
) -> Result<SignedIn, ApiError> {
    let settings = &state.settings;
    let old = cookie::read(req, settings);
    let now = unix_now();
    let mut session = match &old {
        Some(secret) => state
            .store
            .session(&secret.sid())
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
            method: grant.method,
            visits: [(client.id.clone(), logout_index)].into(),
        },
    );

    // Rotate: the session moves to a new cookie value at every sign-in, so a
    // value planted or seen before sign-in is worthless afterwards.
    let latest = session.expires().unwrap_or(expires);
    let keep_for = Duration::from_secs(u64::try_from(latest - now).unwrap_or(1));
    // The new value names the browser's people, so that the store finds
    // each one's sign-ins in that person's own record.
    let secret = SessionCookie::new(
        Secret::generate(),
        session.segments.values().map(|s| s.user.id),
    );
    let sid = secret.sid();
    let old_sid = old.as_ref().map(SessionCookie::sid);
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
                sid: sid.for_person(seg.user.id),
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
    Ok(SignedIn {
        cookie,
        sid,
        segment: session.segments[&client.segment].clone(),
    })
}
