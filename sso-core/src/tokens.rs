//! Minting one-time codes (only their hashes reach the store; the codes go to
//! the caller once) and access tokens (MAC'd, stored nowhere).

use crate::access_token::{AccessClaims, AccessTokens};
use crate::clock::{unix_now, unix_now_ms};
use crate::config::{Release, Settings};
use crate::domain::Secret;
use crate::domain::{ClientId, CodeKind, Grant, SessionBinding, SessionId, User, UserId};
use crate::metrics;
use crate::store::{Store, StoreError};

/// Why a code or an access token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Too many unredeemed codes for this `session` or `client`: try again
    /// after this many seconds.
    #[error("too many unredeemed codes for this {0}; try again in {1} seconds")]
    TooManyCodes(&'static str, u64),
    #[error("the code is unknown, expired, already used, or was issued to another client")]
    InvalidCode,
    #[error("the access token is missing, unknown or expired")]
    AccessTokenInvalid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn issue_code(
    store: &dyn Store,
    settings: &Settings,
    kind: CodeKind,
    grant: &Grant,
) -> Result<Secret, TokenError> {
    let ttl = match kind {
        CodeKind::SsoCode => settings.ttl.sso_code,
        CodeKind::AuthorizationCode => settings.ttl.authorization_code,
        CodeKind::PendingSignIn => {
            std::time::Duration::from_secs(crate::domain::PENDING_SIGN_IN_SECS)
        }
    };
    // The code is written while the limits are counted (one round trip on
    // a multiplexed connection, not two) and taken back when a limit says
    // no: it never left the server, so nobody could have redeemed it.
    let code = Secret::generate();
    let hash = code.hash();
    let (limited, put) = tokio::join!(
        limit_outstanding(store, settings, grant, ttl),
        store.put_code(kind, &hash, grant, ttl)
    );
    if let Err(refused) = limited {
        if put.is_ok() {
            store.take_code(kind, &hash).await?;
        }
        return Err(refused);
    }
    put?;
    metrics::global()
        .codes_issued
        .with_label_values(&[kind.label()])
        .inc();
    Ok(code)
}

/// Caps the stored codes minted and not yet expired per client, so that no
/// client's pages can fill the store with codes (each holds a grant for up
/// to a minute). Counted over the code lifetime: an upper bound of the codes
/// outstanding. (Authorization codes are sealed, `authorization_codes.rs`,
/// and take no store space.)
async fn limit_outstanding(
    store: &dyn Store,
    settings: &Settings,
    grant: &Grant,
    ttl: std::time::Duration,
) -> Result<(), TokenError> {
    let client_key = format!("codes:c:{}", grant.client);
    if store.hit(&client_key, ttl).await? > settings.rate_limit.codes_per_client {
        tracing::warn!(client = %grant.client, "outstanding code limit of the client reached");
        return Err(TokenError::TooManyCodes("client", ttl.as_secs().max(1)));
    }
    Ok(())
}

/// Takes a presented code; it is gone afterwards whether or not it is accepted.
/// A code is accepted only by the client it was issued to.
pub async fn redeem_code(
    store: &dyn Store,
    kind: CodeKind,
    presented: &Secret,
    client: &ClientId,
) -> Result<Grant, TokenError> {
    let taken = store.take_code(kind, &presented.hash()).await?;
    let counters = metrics::global();
    match taken {
        Some(grant) if &grant.client == client => {
            counters
                .codes_redeemed
                .with_label_values(&[kind.label()])
                .inc();
            Ok(grant)
        }
        Some(grant) => {
            tracing::warn!(
                issued_to = %grant.client,
                presented_by = %client,
                kind = kind.label(),
                "code presented by another client; burned"
            );
            counters
                .codes_rejected
                .with_label_values(&[kind.label()])
                .inc();
            Err(TokenError::InvalidCode)
        }
        None => {
            counters
                .codes_rejected
                .with_label_values(&[kind.label()])
                .inc();
            Err(TokenError::InvalidCode)
        }
    }
}

/// A new access token for `user` at `client`, carrying what the client's
/// flow released and bound to a browser session when there is one (see
/// [`crate::access_token`]).
pub fn issue_access_token(
    tokens: &AccessTokens,
    settings: &Settings,
    user: UserId,
    client: &ClientId,
    release: Release,
    session: Option<SessionBinding>,
) -> String {
    let ttl = settings.ttl.access_token;
    tokens.mint(&AccessClaims {
        user,
        client: client.clone(),
        expires: unix_now() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        issued_ms: unix_now_ms(),
        release,
        session,
    })
}

/// The user behind a presented access token, what the token says, and the
/// id of the sign-in it is bound to (none for a registration-API token): the
/// token must be ours and current, and that sign-in must still stand.
pub async fn token_user(
    store: &dyn Store,
    tokens: &AccessTokens,
    token: &str,
) -> Result<(User, AccessClaims, Option<SessionId>), TokenError> {
    let now = unix_now();
    let claims = tokens
        .open(token)
        .filter(|c| c.expires > now)
        .ok_or(TokenError::AccessTokenInvalid)?;
    // The session and the user are independent reads: one round trip.
    let session_stands = async {
        let Some(bound) = &claims.session else {
            return Ok(Some(None));
        };
        let session = store.session(&bound.sid).await?.without_expired(now);
        let signed_in = session.segments.get(&bound.segment);
        Ok::<_, TokenError>(
            signed_in
                .filter(|s| s.user.id == claims.user)
                .map(|s| Some(s.id.clone())),
        )
    };
    let (stands, user) = tokio::join!(session_stands, store.user_for_token(claims.user));
    let (user, revoked_until) = user?;
    match (stands?, user) {
        (Some(sign_in), Some(user)) if claims.issued_ms > revoked_until => {
            Ok((user, claims, sign_in))
        }
        _ => Err(TokenError::AccessTokenInvalid),
    }
}

/// After `user` signed out everywhere: every access token of theirs issued
/// until now is refused, the one that asked included (the mark is kept as
/// long as a token lives).
pub async fn revoke_access_tokens(
    store: &dyn Store,
    settings: &Settings,
    user: UserId,
) -> Result<(), StoreError> {
    store
        .revoke_tokens(user, unix_now_ms(), settings.ttl.access_token)
        .await
}
