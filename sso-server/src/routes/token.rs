//! `POST /oauth/token`: the authorization-code grant (RFC 6749 §4.1.3), so a
//! site's backend can redeem the `code` of `check_session` or the
//! registration API with any OAuth 2.0 / OpenID Connect library, and the
//! refresh-token grant (§6) for clients whose `grant_types` allow it. It
//! answers with an access token and an ID token, and a rotated refresh
//! token for those clients.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::openapi::forms;
use super::params::{BODY_LIMIT, FormError, read_form};
use crate::error::ErrorBody;
use crate::oauth::{ClientCredentials, TokenError, TokenErrorBody, authenticate};
use crate::state::AppState;
use sso_core::clock::{unix_now, unix_now_ms};
use sso_core::config::{Flow, Release};
use sso_core::domain::{CodeVerifier, Grant};
use sso_core::oidc::{IdTokenClaims, id_token_claims};
use sso_core::refresh_tokens::{issue_refresh_token, redeem_refresh_token};
use sso_core::tokens::issue_access_token;

/// The successful answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: u64,
    id_token: &'a str,
    scope: &'static str,
    /// For clients whose `grant_types` include `refresh_token`: redeem it
    /// once; each redemption gives the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

#[utoipa::path(
    post, path = "/oauth/token", tag = "oauth",
    request_body(content = forms::TokenForm, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_basic" = [])),
    responses(
        (status = 200, description = "The code was redeemed", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `unauthorized_client` or `unsupported_grant_type`", body = TokenErrorBody),
        (status = 401, description = "`invalid_client`", body = TokenErrorBody, headers(("WWW-Authenticate" = String))),
        (status = 405, description = "Not `POST`", body = ErrorBody),
        (status = 413, description = "`invalid_request`: the body is over 16 KiB", body = TokenErrorBody),
        (status = 429, description = "`invalid_client`: too many wrong secrets from this address or for this client; `Retry-After` says when", body = TokenErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`temporarily_unavailable`", body = TokenErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, TokenError> {
    let form = read_form(&req, payload, BODY_LIMIT)
        .await
        .map_err(|e| match e {
            FormError::TooLarge(limit) => TokenError::PayloadTooLarge(limit),
            FormError::TimedOut(secs) => TokenError::RequestTimeout(secs),
            other => TokenError::InvalidRequest(other.to_string()),
        })?;
    let field = |name: &str| form.get(name).map(String::as_str);
    let required = |name: &str| {
        field(name).ok_or_else(|| TokenError::InvalidRequest(format!("`{name}` is missing")))
    };

    let refresh = match required("grant_type")? {
        "authorization_code" => false,
        "refresh_token" => true,
        other => {
            return Err(TokenError::UnsupportedGrantType(
                crate::error::ApiError::echo(other),
            ));
        }
    };
    let credentials =
        ClientCredentials::from_request(&req, field("client_id"), field("client_secret"))?;
    if refresh {
        let token = required("refresh_token")?;
        let ip = req.peer_addr().map(|a| a.ip());
        let client = authenticate(&state, ip, &credentials).await?;
        if !client.refresh_tokens {
            return Err(TokenError::UnauthorizedClient(
                "this client's grant_types do not include refresh_token",
            ));
        }
        let (grant, next) = redeem_refresh_token(
            state.store.as_ref(),
            &state.settings,
            token,
            &client.id,
            unix_now_ms(),
        )
        .await?;
        tracing::info!(user = %grant.user.id, client = %client.id, "refresh token redeemed");
        let flow = flow_of(&state, &grant);
        let claims = claims(&state, &grant, flow)
            .with_email_verified(state.store.as_ref(), grant.user.id)
            .await
            .map_err(crate::error::ApiError::from)?;
        return Ok(tokens(&state, &grant, flow, claims, Some(next)));
    }
    let code = required("code")?;
    let verifier = field("code_verifier")
        .map(CodeVerifier::parse)
        .transpose()
        .map_err(|p| TokenError::InvalidRequest(format!("`code_verifier` {p}")))?;
    let ip = req.peer_addr().map(|a| a.ip());
    let client = authenticate(&state, ip, &credentials).await?;
    if client.secret_hash.is_none() && verifier.is_none() {
        return Err(TokenError::InvalidRequest(
            "a public client must send `code_verifier` (PKCE)".to_owned(),
        ));
    }
    // Presenting the code spends it: a redemption that fails below cannot
    // be retried with the same code. The spend mark and the person's record
    // (for `email_verified`) are one round trip; the claims are answered
    // only once the spend has succeeded.
    let grant = state.codes.open_unexpired(code)?;
    let store = state.store.as_ref();
    let flow = flow_of(&state, &grant);
    let (spent, claims) = tokio::join!(
        state
            .codes
            .spend(store, &state.settings, code, &grant, &client.id),
        claims(&state, &grant, flow).with_email_verified(store, grant.user.id)
    );
    spent?;
    let claims = claims.map_err(crate::error::ApiError::from)?;
    if grant.redirect_uri.as_deref() != field("redirect_uri") {
        return Err(TokenError::InvalidGrant(
            "`redirect_uri` must repeat exactly the URL the code was delivered to",
        ));
    }
    match (&grant.code_challenge, &verifier) {
        (Some(challenge), Some(verifier)) if challenge.is_met_by(verifier) => {}
        (Some(_), Some(_)) => {
            return Err(TokenError::InvalidGrant(
                "`code_verifier` does not match the code_challenge",
            ));
        }
        (Some(_), None) => {
            return Err(TokenError::InvalidGrant(
                "this code was issued with a code_challenge: `code_verifier` is required",
            ));
        }
        // RFC 9700 §2.1.1: a verifier for a code issued without a challenge
        // is refused, so PKCE cannot be silently dropped by an attacker.
        (None, Some(_)) => {
            return Err(TokenError::InvalidGrant(
                "this code was issued without a code_challenge: send no `code_verifier`",
            ));
        }
        (None, None) => {}
    }
    let refresh_token = if client.refresh_tokens {
        Some(
            issue_refresh_token(state.store.as_ref(), &state.settings, &grant, unix_now_ms())
                .await
                .map_err(crate::error::ApiError::from)?,
        )
    } else {
        None
    };
    tracing::info!(user = %grant.user.id, client = %client.id, "authorization code redeemed");
    Ok(tokens(&state, &grant, flow, claims, refresh_token))
}

/// The flow a grant was made through, if it still exists.
fn flow_of<'s>(state: &'s AppState, grant: &Grant) -> Option<&'s Flow> {
    grant
        .flow
        .as_ref()
        .and_then(|f| state.settings.flows.get(f))
}

/// The ID token's claims for a grant, before `email_verified` is read.
fn claims(state: &AppState, grant: &Grant, flow: Option<&Flow>) -> IdTokenClaims {
    let lifetime = state.settings.ttl.access_token.as_secs();
    id_token_claims(
        state.settings.issuer(),
        grant,
        flow,
        unix_now(),
        i64::try_from(lifetime).unwrap_or(i64::MAX),
    )
}

/// The answer for a grant: an access token and the ID token of `claims`
/// for its client and sign-in, and the refresh token when there is one.
fn tokens(
    state: &AppState,
    grant: &Grant,
    flow: Option<&Flow>,
    claims: IdTokenClaims,
    refresh_token: Option<String>,
) -> HttpResponse {
    let lifetime = state.settings.ttl.access_token.as_secs();
    let id_token = state.id_tokens.sign_id_token(&claims, claims.iat);
    let access_token = issue_access_token(
        &state.access_tokens,
        &state.settings,
        grant.user.id,
        &grant.client,
        Release::of(flow),
        grant.session.clone(),
    );
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: &access_token,
            token_type: "Bearer",
            expires_in: lifetime,
            id_token: &id_token,
            scope: "openid",
            refresh_token,
        })
}
