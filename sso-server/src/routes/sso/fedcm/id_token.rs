//! The ID assertion for a site that calls FedCM itself, without the
//! library — the way sites use "Sign in with …" through FedCM: an OpenID
//! Connect ID token for the client (`aud` = `client_id`), with the `nonce`
//! the site gave, which its backend verifies against the JWKS like any
//! other. The chosen account must be signed in here, in a segment the
//! client may use; the sign-in records the visit, so that signing out
//! anywhere in the family reaches this client's back channel too.

use actix_web::HttpRequest;

use super::super::cookie;
use crate::error::ApiError;
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::config::Client;
use sso_core::domain::{FieldError, Grant, Nonce, SessionBinding, UserId};
use sso_core::oidc::id_token_claims;

/// The signed ID token; `account_id` is refused when that person is not
/// signed in in this browser in a segment of the client (signed out since
/// the browser listed the accounts).
pub(super) async fn id_token_for(
    state: &AppState,
    req: &HttpRequest,
    client: &Client,
    account: UserId,
    nonce: Option<Nonce>,
) -> Result<String, ApiError> {
    let settings = &state.settings;
    let not_signed_in = || {
        ApiError::invalid(
            "account_id",
            FieldError::Malformed("an account signed in in this browser for this client"),
        )
    };
    let secret = cookie::read(req, settings).ok_or_else(not_signed_in)?;
    let sid = secret.sid();
    let now = unix_now();
    let session = state.store.session(&sid).await?.without_expired(now);
    // The client's own segment first, then those it federates with.
    let segments = std::iter::once(&client.segment).chain(&client.federates_with);
    let (segment, found) = segments
        .filter_map(|s| session.segments.get(s).map(|found| (s, found)))
        .find(|(_, found)| found.user.id == account)
        .ok_or_else(not_signed_in)?;
    let flow = settings.first_flow(client);
    if !sso_core::accounts::may_receive(state.store.as_ref(), client, flow, account).await? {
        return Err(ApiError::EmailNotVerified);
    }
    let sid = sid.for_person(account);
    if !found.visits.contains_key(&client.id) {
        state
            .store
            .record_visit(&sid, segment, &client.id, 0)
            .await?;
    }
    let grant = Grant {
        user: found.user.clone(),
        client: client.id.clone(),
        redirect_uri: None,
        keep_me_logged_in: found.keep_me_logged_in,
        auth_time: found.created,
        method: found.method,
        flow: flow.map(|f| f.name.clone()),
        code_challenge: None,
        nonce,
        session: Some(SessionBinding {
            sid,
            segment: segment.clone(),
        }),
        sid: Some(found.id.clone()),
    };
    let lifetime = i64::try_from(settings.ttl.access_token.as_secs()).unwrap_or(i64::MAX);
    let claims = id_token_claims(settings.issuer(), &grant, flow, now, lifetime)
        .with_email_verified(state.store.as_ref(), grant.user.id)
        .await?;
    tracing::info!(user = %account, client = %client.id, %segment, "FedCM ID token");
    Ok(state.id_tokens.sign_id_token(&claims, now))
}
