use serde::{Deserialize, Serialize};

use super::{ClientId, CodeChallenge, FieldError, Nonce, Profile, SessionBinding, SessionId};

/// What a one-time code was minted for; each kind lives in its own key space,
/// so a code of one kind can never be redeemed as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// From the registration API, consumed by `/sso/set`.
    SsoCode,
    /// An OAuth authorization code (`response_type=code`).
    AuthorizationCode,
    /// A sign-in `/sso/set` took a code for, waiting for the library that
    /// started it to confirm (keyed by the hash of the pending cookie).
    PendingSignIn,
}

/// How long a sign-in waits for its confirmation (the pending cookie's and
/// the parked sign-in's lifetime): a redirect there and back, with room.
pub const PENDING_SIGN_IN_SECS: u64 = 120;

impl CodeKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::SsoCode => "sso_code",
            Self::AuthorizationCode => "authorization_code",
            Self::PendingSignIn => "pending_sign_in",
        }
    }
}

/// How the person proved who they are at the sign-in behind a grant or a
/// session; the ID token's `amr` (RFC 8176) says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    Password,
    /// A passkey with user verification: possession of the key, and the
    /// device's check of the person (biometric or PIN).
    Passkey,
}

impl AuthMethod {
    pub fn is_password(&self) -> bool {
        *self == Self::Password
    }

    /// The `amr` values (RFC 8176 §2): `pwd`; or `pop` and `mfa` for a
    /// passkey whose authenticator verified the person.
    pub fn amr(self) -> &'static [&'static str] {
        match self {
            Self::Password => &["pwd"],
            Self::Passkey => &["pop", "mfa"],
        }
    }
}

/// What a one-time code stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Who signed in: a copy of the profile, so redeeming needs no user read.
    pub user: Profile,
    pub client: ClientId,
    /// The exact URL the code was delivered to; redeeming must repeat it.
    pub redirect_uri: Option<String>,
    pub keep_me_logged_in: bool,
    /// Unix time of the sign-in behind this grant.
    pub auth_time: i64,
    /// How the person signed in then (absent: a password).
    #[serde(default, skip_serializing_if = "AuthMethod::is_password")]
    pub method: AuthMethod,
    /// The flow the code was asked for: what the ID token may release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// PKCE: the token request must bring the matching verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<CodeChallenge>,
    /// Returned unchanged in the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<Nonce>,
    /// The SSO session a code of `/sso/check` came from: the access token
    /// it is redeemed for is bound to it, as the in-page one would be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionBinding>,
    /// That sign-in's id: the `sid` of the ID token, which back-channel
    /// logout tokens repeat when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<SessionId>,
}

/// `response_type`: an access token in the result, or a code for the site's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    #[default]
    Token,
    Code,
}

impl ResponseType {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "token" => Ok(Self::Token),
            "code" => Ok(Self::Code),
            "" => Err(FieldError::Empty),
            _ => Err(FieldError::Malformed("`token` or `code`")),
        }
    }
}

/// `response_method`: how the browser library talks to the server. The server
/// only validates it; the library acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMethod {
    /// In-page: hidden iframe, XD receiver, postMessage (the original library's name).
    Jsonp,
    Redirect,
    #[default]
    Auto,
}

impl ResponseMethod {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.to_ascii_lowercase().as_str() {
            "jsonp" => Ok(Self::Jsonp),
            "redirect" => Ok(Self::Redirect),
            "auto" => Ok(Self::Auto),
            "" => Err(FieldError::Empty),
            _ => Err(FieldError::Malformed("`jsonp`, `redirect` or `auto`")),
        }
    }
}
