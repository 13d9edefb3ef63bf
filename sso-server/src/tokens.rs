//! Minting one-time codes and access tokens. Only hashes reach the store; the
//! secrets themselves go to the caller once.

use crate::clock::unix_now;
use crate::domain::{AccessGrant, ClientId, CodeKind, Grant, UserId};
use crate::error::ApiError;
use crate::metrics;
use crate::secrets::{Secret, SecretHash};
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

pub async fn issue_access_token(
    state: &AppState,
    user: UserId,
    client: &ClientId,
) -> Result<Secret, ApiError> {
    let ttl = state.settings.ttl.access_token;
    let token = Secret::generate();
    let grant = AccessGrant {
        user,
        client: client.clone(),
        expires: unix_now() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
    };
    state
        .store
        .put_access_token(&token.hash(), &grant, ttl)
        .await?;
    Ok(token)
}

/// The grant behind a presented access token, if it is known and current.
pub async fn access_grant(state: &AppState, token: &SecretHash) -> Result<AccessGrant, ApiError> {
    match state.store.access_token(token).await? {
        Some(grant) if grant.expires > unix_now() => Ok(grant),
        _ => Err(ApiError::AccessTokenInvalid),
    }
}
