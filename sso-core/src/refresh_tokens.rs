//! Refresh tokens for clients whose `grant_types` allow them: issued at a
//! code redemption, rotated at every use, bound to the client and to the
//! sign-in behind the code. A chain ends when its sign-in ends (checked at
//! every use: a refresh of an ended sign-in is refused and ends the
//! chain), when an earlier token of it is presented again (RFC 9700
//! §4.14), when unused for `refresh_token_idle_secs`, and at the latest
//! `refresh_token_absolute_secs` after it began. Only hashes are stored.

use std::time::Duration;

use crate::clock::unix_now;
use crate::config::Settings;
use crate::domain::{
    ClientId, Grant, RefreshFamily, RefreshRecord, Rotation, Secret, parse_refresh_token,
    refresh_token_text,
};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// RFC 6749's `invalid_grant`, with why.
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The client's idle and absolute lifetimes (`[ttl]`'s for a client the
/// configuration no longer has).
fn lifetimes(settings: &Settings, client: &ClientId) -> (Duration, Duration) {
    settings.client(client).map_or(
        (settings.ttl.refresh_idle, settings.ttl.refresh_absolute),
        |c| (c.refresh_idle, c.refresh_absolute),
    )
}

/// Begins a chain for what a code redemption granted; the token text.
pub async fn issue_refresh_token(
    store: &dyn Store,
    settings: &Settings,
    grant: &Grant,
    now_ms: i64,
) -> Result<String, StoreError> {
    let family = RefreshFamily::generate();
    let secret = Secret::generate();
    let (idle, absolute) = lifetimes(settings, &grant.client);
    let lifetime = i64::try_from(absolute.as_millis()).unwrap_or(i64::MAX);
    let record = RefreshRecord {
        current: secret.hash(),
        client: grant.client.clone(),
        ends_ms: now_ms.saturating_add(lifetime),
        issued_ms: now_ms,
        // One-time parts of the code are not the chain's.
        grant: Grant {
            code_challenge: None,
            nonce: None,
            redirect_uri: None,
            ..grant.clone()
        },
    };
    let ttl = idle.min(absolute);
    store.put_refresh(&family, &record, ttl).await?;
    Ok(refresh_token_text(&family, &secret))
}

/// Redeems `presented` for `client`: the chain's grant and the next token.
pub async fn redeem_refresh_token(
    store: &dyn Store,
    settings: &Settings,
    presented: &str,
    client: &ClientId,
    now_ms: i64,
) -> Result<(Grant, String), RefreshError> {
    const UNKNOWN: &str =
        "the refresh token is unknown, expired, ended with its sign-in, or another client's";
    let (family, secret) = parse_refresh_token(presented).ok_or(RefreshError::Invalid(UNKNOWN))?;
    let next = Secret::generate();
    let rotation = store
        .rotate_refresh(
            &family,
            &secret.hash(),
            client,
            &next.hash(),
            lifetimes(settings, client).0,
            now_ms,
        )
        .await?;
    let record = match rotation {
        Rotation::Rotated(record) => record,
        Rotation::Reused => {
            tracing::warn!(%client, "a rotated refresh token was presented again: its chain is ended");
            return Err(RefreshError::Invalid(
                "the refresh token was already used: every token of its chain is revoked",
            ));
        }
        Rotation::OtherClient | Rotation::Gone => return Err(RefreshError::Invalid(UNKNOWN)),
    };
    if !sign_in_stands(store, &record).await? {
        store.delete_refresh(&family).await?;
        return Err(RefreshError::Invalid(UNKNOWN));
    }
    Ok((record.grant, refresh_token_text(&family, &next)))
}

/// Whether the sign-in behind a chain still stands: the browser's sign-in
/// the code came from, or, for a code of the registration API (no browser
/// yet), the person not signed out everywhere since the chain began.
async fn sign_in_stands(store: &dyn Store, record: &RefreshRecord) -> Result<bool, StoreError> {
    let grant = &record.grant;
    if let Some(bound) = &grant.session {
        let session = store.session(&bound.sid).await?.without_expired(unix_now());
        return Ok(session
            .segments
            .get(&bound.segment)
            .is_some_and(|s| Some(&s.id) == grant.sid.as_ref() && s.user.id == grant.user.id));
    }
    let (user, revoked_until) = store.user_for_token(grant.user.id).await?;
    Ok(user.is_some() && record.issued_ms > revoked_until)
}
