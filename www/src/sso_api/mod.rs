//! What the news backend asks of the SSO server: redeem a `code` at
//! `/oauth/token`, and manage its own accounts and sessions through the
//! application API (`/api/...`), as the README's "Users on demand" describes.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

mod http;
pub use http::Connection;

/// Who the backend is to the SSO server.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The site's OAuth client and its secret (`client_secret_basic`).
    pub client_id: String,
    pub client_secret: String,
    /// The application it calls the API as (HTTP Basic).
    pub app_id: String,
    pub app_secret: String,
    /// The SSO service its ID tokens are linked under (type `federated`).
    pub service: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SsoApiError {
    #[error("the SSO server could not be reached: {}", chain(.0))]
    Unreachable(#[from] reqwest::Error),
    #[error("the SSO server refused the code ({error}): {description}")]
    CodeRefused { error: String, description: String },
    #[error("the application API answered {status}: {message}")]
    Api { status: String, message: String },
    #[error("the SSO server answered something unexpected: {0}")]
    Unexpected(&'static str),
}

/// An error with its causes: reqwest's own text ("error sending request")
/// leaves out why.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl SsoApiError {
    /// An application API refusal with this `statusmessage`.
    pub fn is_api(&self, name: &str) -> bool {
        matches!(self, Self::Api { status, .. } if status == name)
    }
}

/// The answer of `/oauth/token`.
#[derive(Debug, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
}

/// The ID token claims the demo shows. The token came straight from the
/// token endpoint, so its signature need not be checked here (OpenID Connect
/// Core §3.1.3.7); the application API checks it before trusting it.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// The SSO sign-in behind the token: a back-channel logout names it.
    #[serde(default)]
    pub sid: Option<String>,
}

impl IdClaims {
    pub fn read(id_token: &str) -> Result<Self, SsoApiError> {
        const MALFORMED: SsoApiError = SsoApiError::Unexpected("an ID token that is not a JWT");
        let payload = id_token.split('.').nth(1).ok_or(MALFORMED)?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| MALFORMED)?;
        serde_json::from_slice(&json).map_err(|_| MALFORMED)
    }
}

/// A user of the application API: the site's own account.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    pub displayname: Option<String>,
}

/// A session of `session/createwithsso`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiSession {
    /// The bearer secret.
    pub session: String,
    /// Unix time, seconds.
    pub expires: i64,
    pub user: Account,
}

/// A finished sign-in: the SSO user, the site's account, its session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub claims: IdClaims,
    pub access_token: String,
    pub session: ApiSession,
    /// The account was created by this sign-in.
    pub created: bool,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    header: Header,
    #[serde(default)]
    body: Value,
}

#[derive(Debug, Deserialize)]
struct Header {
    statusmessage: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

#[derive(Clone)]
pub struct SsoApi {
    http: reqwest::Client,
    /// e.g. `http://sso.localhost:8080`, no trailing slash.
    base: String,
    credentials: Credentials,
}

impl SsoApi {
    /// The SSO server's URL, which is also its issuer (`iss`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The HTTP client (its resolver knows `*.localhost`).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn new(base: &str, credentials: Credentials) -> Result<Self, SsoApiError> {
        Self::connecting(base, credentials, &Connection::default())
    }

    /// [`Self::new`] reaching the server as `connection` says.
    pub fn connecting(
        base: &str,
        credentials: Credentials,
        connection: &Connection,
    ) -> Result<Self, SsoApiError> {
        let base = base.trim_end_matches('/').to_owned();
        let http = http::client(&base, connection)?;
        Ok(Self {
            http,
            base,
            credentials,
        })
    }

    /// The whole on-demand sign-in: redeem the code, then find the account
    /// its ID token is linked to, creating and linking one the first time.
    pub async fn sign_in_with_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<SignedIn, SsoApiError> {
        let tokens = self.redeem(code, redirect_uri).await?;
        let claims = IdClaims::read(&tokens.id_token)?;
        let (session, created) = match self.create_session(&tokens.id_token).await {
            Err(e) if e.is_api("SSO_TOKEN_UNKNOWN") => {
                let created = self.create_and_link(&claims, &tokens.id_token).await?;
                (self.session_once_linked(&tokens.id_token).await?, created)
            }
            other => (other?, false),
        };
        Ok(SignedIn {
            claims,
            access_token: tokens.access_token,
            session,
            created,
        })
    }

    /// A new account for the SSO user, linked to its ID token: whether this
    /// sign-in created it. Another sign-in of the same person (a second tab)
    /// may be a step ahead; its account then counts.
    async fn create_and_link(
        &self,
        claims: &IdClaims,
        id_token: &str,
    ) -> Result<bool, SsoApiError> {
        let account = match self.create_account(claims).await {
            Ok(account) => account,
            // The other sign-in created the account and is about to link it.
            Err(e) if e.is_api("USER_EXISTS") => return Ok(false),
            Err(e) => return Err(e),
        };
        match self.link(&account.id, id_token).await {
            Ok(()) => Ok(true),
            // The other sign-in linked its account first.
            Err(e) if e.is_api("SSO_TOKEN_ALREADY_LINKED") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `session/createwithsso` after a link: ours, or that of a concurrent
    /// sign-in, which may land a moment later.
    async fn session_once_linked(&self, id_token: &str) -> Result<ApiSession, SsoApiError> {
        for wait_ms in [10, 20, 40, 80, 160] {
            match self.create_session(id_token).await {
                Err(e) if e.is_api("SSO_TOKEN_UNKNOWN") => {
                    actix_web::rt::time::sleep(Duration::from_millis(wait_ms)).await;
                }
                other => return other,
            }
        }
        self.create_session(id_token).await
    }

    pub async fn redeem(&self, code: &str, redirect_uri: &str) -> Result<Tokens, SsoApiError> {
        let c = &self.credentials;
        let response = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&c.client_id, Some(&c.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await?;
        if response.status().is_success() {
            return response
                .json()
                .await
                .map_err(|_| SsoApiError::Unexpected("a token answer without the tokens"));
        }
        let refusal: OAuthError = response
            .json()
            .await
            .map_err(|_| SsoApiError::Unexpected("a token error that is not RFC 6749 JSON"))?;
        Err(SsoApiError::CodeRefused {
            error: refusal.error,
            description: refusal.error_description,
        })
    }

    /// `session/createwithsso` as the application.
    pub async fn create_session(&self, id_token: &str) -> Result<ApiSession, SsoApiError> {
        let c = &self.credentials;
        let body = self
            .as_app(
                "session/createwithsso",
                &[("service", &c.service), ("response", id_token)],
            )
            .await?;
        parse(body, "a session answer without its session")
    }

    /// `user/create` as the application: an account with the SSO user's
    /// email and name, in the default role.
    async fn create_account(&self, claims: &IdClaims) -> Result<Account, SsoApiError> {
        let email = claims
            .email
            .as_deref()
            .ok_or(SsoApiError::Unexpected("an ID token without `email`"))?;
        let name = claims.name.as_deref().unwrap_or(email);
        let mut body = self
            .as_app("user/create", &[("email", email), ("displayname", name)])
            .await?;
        parse(body["user"].take(), "a user answer without the user")
    }

    /// `user/linkssotoken` as the application.
    async fn link(&self, account: &str, id_token: &str) -> Result<(), SsoApiError> {
        let c = &self.credentials;
        self.as_app(
            "user/linkssotoken",
            &[
                ("user", account),
                ("service", &c.service),
                ("response", id_token),
            ],
        )
        .await
        .map(drop)
    }

    /// `session/info` as the session itself.
    pub async fn session_account(&self, session: &str) -> Result<Account, SsoApiError> {
        let mut body = self.as_session("session/info", session).await?;
        parse(body["user"].take(), "a session answer without its user")
    }

    /// `session/delete` as the session itself.
    pub async fn delete_session(&self, session: &str) -> Result<(), SsoApiError> {
        self.as_session("session/delete", session).await.map(drop)
    }

    async fn as_app(&self, action: &str, form: &[(&str, &str)]) -> Result<Value, SsoApiError> {
        let c = &self.credentials;
        let request = self
            .http
            .post(format!("{}/api/{action}", self.base))
            .basic_auth(&c.app_id, Some(&c.app_secret))
            .form(form);
        envelope(request).await
    }

    async fn as_session(&self, action: &str, session: &str) -> Result<Value, SsoApiError> {
        let request = self
            .http
            .post(format!("{}/api/{action}", self.base))
            .bearer_auth(session)
            .form(&[] as &[(&str, &str)]);
        envelope(request).await
    }
}

/// Sends an application API request and opens its envelope.
async fn envelope(request: reqwest::RequestBuilder) -> Result<Value, SsoApiError> {
    let answer: Envelope = request
        .send()
        .await?
        .json()
        .await
        .map_err(|_| SsoApiError::Unexpected("an API answer that is not an envelope"))?;
    match answer.header.statusmessage.as_str() {
        "OK" => Ok(answer.body),
        _ => Err(SsoApiError::Api {
            status: answer.header.statusmessage,
            message: answer.header.message,
        }),
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    value: Value,
    what: &'static str,
) -> Result<T, SsoApiError> {
    serde_json::from_value(value).map_err(|_| SsoApiError::Unexpected(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_claims_are_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"u-1","email":"a@b.c","aud":"news"}"#);
        let claims = IdClaims::read(&format!("h.{payload}.s")).unwrap();
        assert_eq!(claims.sub, "u-1");
        assert_eq!(claims.email.as_deref(), Some("a@b.c"));
        assert_eq!(claims.name, None);
    }

    #[test]
    fn a_token_that_is_not_a_jwt_is_an_error() {
        for token in ["", "abc", "a.%%%.c", "a.e30K.c"] {
            assert!(
                matches!(IdClaims::read(token), Err(SsoApiError::Unexpected(_))),
                "{token}"
            );
        }
    }
}
