//! Client authentication at the token endpoint (RFC 6749 §2.3.1):
//! `client_secret_basic`, `client_secret_post`, or none for public clients,
//! which must then prove possession with PKCE instead.
//! Secrets are checked by [`machine_secret::authenticate`], which also
//! throttles wrong ones per IP and per client.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header;

use super::TokenError;
use crate::credentials::{Authorization, oauth_unescape};
use crate::state::AppState;
use secrecy::{ExposeSecret, SecretString};
use sso_core::config::{Client, TokenAuthMethod};
use sso_core::domain::ClientId;
use sso_core::machine_secret::{self, Verdict};

/// Who the request says it is, and with what proof.
#[derive(Debug)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Option<SecretString>,
    /// The credentials came in an `Authorization: Basic` header.
    pub basic: bool,
}

impl ClientCredentials {
    /// From the `Authorization` header or the form's `client_id` and
    /// `client_secret`; using both methods at once is refused (RFC 6749
    /// §2.3: one method per request).
    pub fn from_request(
        req: &HttpRequest,
        form_client_id: Option<&str>,
        form_secret: Option<&str>,
    ) -> Result<Self, TokenError> {
        let authorization = req.headers().get(header::AUTHORIZATION);
        Self::from_parts(
            authorization.map(|v| v.as_bytes()),
            form_client_id,
            form_secret,
        )
    }

    /// From the raw `Authorization` header value, if any, and the form's
    /// fields.
    pub fn from_parts(
        authorization: Option<&[u8]>,
        form_client_id: Option<&str>,
        form_secret: Option<&str>,
    ) -> Result<Self, TokenError> {
        let Some(value) = authorization else {
            let client_id = form_client_id.ok_or_else(|| {
                TokenError::InvalidRequest(
                    "`client_id` is missing (or authenticate with HTTP Basic)".to_owned(),
                )
            })?;
            return Ok(Self {
                client_id: client_id.to_owned(),
                secret: form_secret.map(SecretString::from),
                basic: false,
            });
        };
        const BAD: TokenError = TokenError::InvalidClient(
            "the Authorization header must be `Basic base64(client_id:client_secret)`",
        );
        let Ok(Authorization::Basic { id, secret }) = Authorization::parse(value) else {
            return Err(BAD);
        };
        let unescape = |s: &str| oauth_unescape(s).map_err(|_| BAD);
        let (client_id, secret) = (unescape(&id)?, unescape(secret.expose_secret())?);
        if form_secret.is_some() {
            return Err(TokenError::InvalidRequest(
                "use one client authentication method: HTTP Basic or client_secret, not both"
                    .to_owned(),
            ));
        }
        if form_client_id.is_some_and(|f| f != client_id) {
            return Err(TokenError::InvalidRequest(
                "`client_id` differs from the one in the Authorization header".to_owned(),
            ));
        }
        Ok(Self {
            client_id,
            secret: Some(secret.into()),
            basic: true,
        })
    }
}

const UNKNOWN: TokenError = TokenError::InvalidClient("unknown client or wrong client secret");

/// The registered client the credentials prove, or `invalid_client`. A
/// public client is returned only when no secret was presented. Every
/// refusal is paced (`auth_failure_delay_ms`), known client or not, so the
/// delay tells nothing and a flood of wrong secrets waits instead of
/// taking CPU.
pub async fn authenticate<'s>(
    state: &'s AppState,
    ip: Option<IpAddr>,
    credentials: &ClientCredentials,
) -> Result<&'s Client, TokenError> {
    let verdict = check(state, ip, credentials).await;
    if matches!(
        verdict,
        Err(TokenError::InvalidClient(_) | TokenError::SlowDown(_))
    ) {
        state.auth_pacing.pace().await;
    }
    verdict
}

async fn check<'s>(
    state: &'s AppState,
    ip: Option<IpAddr>,
    credentials: &ClientCredentials,
) -> Result<&'s Client, TokenError> {
    let client = ClientId::parse(&credentials.client_id)
        .ok()
        .and_then(|id| state.settings.client(&id))
        .ok_or(UNKNOWN)?;
    // A client registered with one way of sending its secret is held to
    // it: a secret in the other place is refused (paced) as if wrong.
    let method_refused = match (client.auth_method, credentials.secret.is_some()) {
        (Some(TokenAuthMethod::ClientSecretBasic), true) if !credentials.basic => {
            Some("this client authenticates with HTTP Basic (client_secret_basic)")
        }
        (Some(TokenAuthMethod::ClientSecretPost), true) if credentials.basic => {
            Some("this client sends its secret in the form (client_secret_post)")
        }
        _ => None,
    };
    if let Some(why) = method_refused {
        return Err(TokenError::InvalidClient(why));
    }
    match (&client.secret_hash, &credentials.secret) {
        (None, None) => Ok(client),
        (None, Some(_)) => Err(TokenError::InvalidClient(
            "this client is public: it has no secret and must use PKCE",
        )),
        (Some(_), None) => Err(TokenError::InvalidClient(
            "client authentication is required: HTTP Basic or client_secret",
        )),
        (Some(hash), Some(secret)) => {
            let owner = format!("client:{}", client.id);
            let secret = secret.expose_secret();
            match machine_secret::authenticate(state.secret_checker(), ip, &owner, hash, secret)
                .await?
            {
                Verdict::Valid => Ok(client),
                Verdict::Wrong => Err(UNKNOWN),
                Verdict::Throttled(secs) => Err(TokenError::SlowDown(secs)),
            }
        }
    }
}
