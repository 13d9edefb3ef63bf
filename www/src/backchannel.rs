//! news's back-channel logout endpoint (OpenID Connect Back-Channel Logout
//! 1.0 §2.5-§2.8): the SSO server tells this backend, server to server, that
//! a sign-in ended; the backend ends the account sessions it made for it,
//! whether or not the person's browser is still open.
//!
//! The logout token is validated with `jsonwebtoken` against the SSO
//! server's published keys: ES256, `typ` `logout+jwt`, `iss`, `aud`, `iat`
//! (recent), `exp`, the back-channel `events` member, no `nonce`, a `sid` or
//! `sub`, and a `jti` not seen before.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::sso_api::SsoApi;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// A logout token older than this is refused (§2.6 step 7 leaves it to us).
const MAX_AGE_SECS: i64 = 300;
/// Clock difference tolerated with the SSO server.
const LEEWAY_SECS: u64 = 30;
/// The published keys are fetched again after this long, or for an unknown `kid`.
const KEYS_FOR: Duration = Duration::from_secs(300);
/// An unknown `kid` fetches the keys again at most this often: tokens with
/// made-up `kid`s must not each cost the SSO server a request.
const REFETCH_AFTER: Duration = Duration::from_secs(30);
/// Seen `jti`s kept at most: a flood of valid tokens cannot grow memory.
const MAX_SEEN: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error("the logout token is not a signed JWT: {0}")]
    Malformed(String),
    #[error("the SSO server's keys could not be fetched: {0}")]
    Keys(String),
    #[error("the logout token does not verify: {0}")]
    Invalid(String),
    #[error("the logout token was sent before (jti)")]
    Replayed,
}

/// Ending the sessions a valid logout names failed: the SSO server should
/// try again (answered 503; the sessions stay on the books for the retry).
#[derive(Debug, thiserror::Error)]
#[error("ending {failed} account session(s) failed: {reason}")]
pub struct EndFailed {
    pub failed: usize,
    pub reason: String,
}

/// The claims this receiver acts on.
#[derive(Debug, Clone, Deserialize)]
pub struct LogoutClaims {
    pub iat: i64,
    pub jti: String,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default)]
    events: Option<Map<String, Value>>,
    #[serde(default)]
    nonce: Option<Value>,
}

/// The account sessions this backend made (secret, expiry), by the SSO
/// sign-in (`sid`) and the person (`sub`) they were made for. Expired ones
/// are dropped at every new one, so the books stay as large as the live
/// sessions.
#[derive(Default)]
struct Sessions {
    by_sid: HashMap<String, Vec<(String, i64)>>,
    by_sub: HashMap<String, Vec<(String, i64)>>,
}

pub struct LogoutReceiver {
    api: SsoApi,
    audience: String,
    keys: Mutex<Option<(Instant, JwkSet)>>,
    seen: Mutex<HashMap<String, i64>>,
    sessions: Mutex<Sessions>,
}

impl LogoutReceiver {
    pub fn new(api: SsoApi, audience: &str) -> Self {
        Self {
            api,
            audience: audience.to_owned(),
            keys: Mutex::new(None),
            seen: Mutex::new(HashMap::new()),
            sessions: Mutex::new(Sessions::default()),
        }
    }

    /// Remembers an account session made for a sign-in, until it expires.
    pub fn made(&self, sid: Option<&str>, sub: &str, session: &str, expires: i64, now: i64) {
        let mut guard = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let sessions = &mut *guard;
        for books in [&mut sessions.by_sid, &mut sessions.by_sub] {
            books.retain(|_, list| {
                list.retain(|(_, until)| *until > now);
                !list.is_empty()
            });
        }
        let entry = (session.to_owned(), expires);
        if let Some(sid) = sid {
            sessions
                .by_sid
                .entry(sid.to_owned())
                .or_default()
                .push(entry.clone());
        }
        sessions
            .by_sub
            .entry(sub.to_owned())
            .or_default()
            .push(entry);
    }

    /// The sessions a valid logout ends: those of the `sid`, or without one
    /// every session of the `sub`. Taken out of the books.
    fn take(&self, claims: &LogoutClaims) -> Vec<(String, i64)> {
        let mut guard = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let sessions = &mut *guard;
        let ended = match (&claims.sid, &claims.sub) {
            (Some(sid), _) => sessions.by_sid.remove(sid).unwrap_or_default(),
            (None, Some(sub)) => sessions.by_sub.remove(sub).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        for list in sessions
            .by_sub
            .values_mut()
            .chain(sessions.by_sid.values_mut())
        {
            list.retain(|entry| !ended.contains(entry));
        }
        sessions.by_sub.retain(|_, l| !l.is_empty());
        sessions.by_sid.retain(|_, l| !l.is_empty());
        ended
    }

    /// The SSO server's keys: fetched when older than [`KEYS_FOR`], or with
    /// `refresh` (an unknown `kid`) when older than [`REFETCH_AFTER`].
    async fn key_set(&self, refresh: bool) -> Result<JwkSet, LogoutError> {
        let fresh_for = if refresh { REFETCH_AFTER } else { KEYS_FOR };
        if let Some((at, keys)) = &*self.keys.lock().unwrap_or_else(|p| p.into_inner())
            && at.elapsed() < fresh_for
        {
            return Ok(keys.clone());
        }
        let keys: JwkSet = self
            .api
            .http()
            .get(format!("{}/oauth/jwks", self.api.base()))
            .send()
            .await
            .map_err(|e| LogoutError::Keys(e.to_string()))?
            .json()
            .await
            .map_err(|e| LogoutError::Keys(e.to_string()))?;
        *self.keys.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// Validates a logout token (§2.6) and records its `jti`.
    pub async fn validate(&self, token: &str, now: i64) -> Result<LogoutClaims, LogoutError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| LogoutError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::ES256 {
            return Err(LogoutError::Invalid(format!("algorithm {:?}", header.alg)));
        }
        if header.typ.as_deref() != Some("logout+jwt") {
            return Err(LogoutError::Invalid("typ is not logout+jwt".into()));
        }
        let kid = header
            .kid
            .ok_or_else(|| LogoutError::Invalid("no kid".into()))?;
        let mut keys = self.key_set(false).await?;
        if keys.find(&kid).is_none() {
            keys = self.key_set(true).await?;
        }
        let jwk = keys
            .find(&kid)
            .ok_or_else(|| LogoutError::Invalid(format!("unknown key {kid}")))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| LogoutError::Invalid(e.to_string()))?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[self.api.base()]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "iat"]);
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<LogoutClaims>(token, &key, &validation)
            .map_err(|e| LogoutError::Invalid(e.to_string()))?
            .claims;
        if !claims
            .events
            .as_ref()
            .and_then(|e| e.get(EVENT))
            .is_some_and(Value::is_object)
        {
            return Err(LogoutError::Invalid(format!("events lacks {EVENT}")));
        }
        if claims.nonce.is_some() {
            return Err(LogoutError::Invalid("a logout token has no nonce".into()));
        }
        if claims.sid.is_none() && claims.sub.is_none() {
            return Err(LogoutError::Invalid("neither sid nor sub".into()));
        }
        if now - claims.iat > MAX_AGE_SECS {
            return Err(LogoutError::Invalid("issued too long ago (iat)".into()));
        }
        if claims.jti.is_empty() {
            return Err(LogoutError::Invalid("no jti".into()));
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, at| now - *at <= MAX_AGE_SECS + 60);
        if seen.contains_key(&claims.jti) {
            return Err(LogoutError::Replayed);
        }
        if seen.len() >= MAX_SEEN {
            return Err(LogoutError::Invalid("too many logouts at once".into()));
        }
        seen.insert(claims.jti.clone(), now);
        Ok(claims)
    }

    /// A valid logout's work: the account sessions it names end at the SSO
    /// server (already ended is as good; none left is as good too: the
    /// sign-in ended before). Returns how many; when some could not be
    /// ended, they go back on the books for the server's retry.
    pub async fn end_sessions(&self, claims: &LogoutClaims, now: i64) -> Result<usize, EndFailed> {
        let taken = self.take(claims);
        let mut failed = Vec::new();
        let mut reason = String::new();
        for entry in &taken {
            if let Err(e) = self.api.delete_session(&entry.0).await
                && !e.is_api("AUTHENTICATION_FAILED")
            {
                reason = e.to_string();
                failed.push(entry.clone());
            }
        }
        if failed.is_empty() {
            return Ok(taken.len());
        }
        for (session, expires) in &failed {
            match &claims.sub {
                Some(sub) => self.made(claims.sid.as_deref(), sub, session, *expires, now),
                None => {
                    let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(sid) = &claims.sid {
                        let entry = (session.clone(), *expires);
                        sessions.by_sid.entry(sid.clone()).or_default().push(entry);
                    }
                }
            }
        }
        Err(EndFailed {
            failed: failed.len(),
            reason,
        })
    }
}
