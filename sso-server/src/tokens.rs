//! Minting one-time codes (only their hashes reach the store; the codes go to
//! the caller once) and access tokens (MAC'd, stored nowhere).

use crate::access_token::AccessClaims;
use crate::clock::unix_now;
use crate::domain::{ClientId, CodeKind, Grant, SessionBinding, User, UserId};
use crate::error::ApiError;
use crate::metrics;
use crate::secrets::Secret;
use crate::startup::AppState;

pub async fn issue_code(
    state: &AppState,
    kind: CodeKind,
    grant: &Grant,
) -> Result<Secret, ApiError> {
    let ttl = match kind {
        CodeKind::SsoCode => state.settings.ttl.sso_code,
        CodeKind::AuthorizationCode => state.settings.ttl.authorization_code,
    };
    let code = Secret::generate();
    state.store.put_code(kind, &code.hash(), grant, ttl).await?;
    metrics::global()
        .codes_issued
        .with_label_values(&[kind.label()])
        .inc();
    Ok(code)
}

/// Takes a presented code; it is gone afterwards whether or not it is accepted.
/// A code is accepted only by the client it was issued to.
pub async fn redeem_code(
    state: &AppState,
    kind: CodeKind,
    presented: &Secret,
    client: &ClientId,
) -> Result<Grant, ApiError> {
    let taken = state.store.take_code(kind, &presented.hash()).await?;
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
            Err(ApiError::InvalidCode)
        }
        None => {
            counters
                .codes_rejected
                .with_label_values(&[kind.label()])
                .inc();
            Err(ApiError::InvalidCode)
        }
    }
}

/// A new access token for `user` at `client`, bound to a browser session
/// when there is one (see [`crate::access_token`]).
pub fn issue_access_token(
    state: &AppState,
    user: UserId,
    client: &ClientId,
    session: Option<SessionBinding>,
) -> String {
    let ttl = state.settings.ttl.access_token;
    state.access_tokens.mint(&AccessClaims {
        user,
        client: client.clone(),
        expires: unix_now() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        session,
    })
}

/// The user behind a presented access token: the token must be ours and
/// current, and the SSO session it is bound to (if any) must still stand.
pub async fn token_user(state: &AppState, token: &str) -> Result<User, ApiError> {
    let now = unix_now();
    let claims = state
        .access_tokens
        .open(token)
        .filter(|c| c.expires > now)
        .ok_or(ApiError::AccessTokenInvalid)?;
    // The session and the user are independent reads: one round trip.
    let session_stands = async {
        let Some(bound) = &claims.session else {
            return Ok(true);
        };
        let session = state.store.session(&bound.sid).await?.without_expired(now);
        let signed_in = session.segments.get(&bound.segment);
        Ok::<_, ApiError>(signed_in.is_some_and(|s| s.user.id == claims.user))
    };
    let (stands, user) = tokio::join!(session_stands, state.store.user(claims.user));
    match (stands?, user?) {
        (true, Some(user)) => Ok(user),
        _ => Err(ApiError::AccessTokenInvalid),
    }
}
