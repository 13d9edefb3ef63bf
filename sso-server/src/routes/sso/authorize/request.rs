//! The authorization request, read in two steps. First whom to answer:
//! the client and its redirect URI, byte for byte as registered (wrong
//! ones get a page of the server). Then everything else, whose errors go
//! back to the client.

use crate::error::ApiError;
use crate::oauth::AuthorizeError;
use crate::pages::Locale;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::config::{Client, Settings};
use sso_core::domain::{
    CodeChallenge, FieldError, Nonce, Prompt, ResponseMode, Scope, parse_max_age,
};
use sso_core::oidc::{IdTokenHint, read_id_token_hint};

/// `state` is the client's, opaque: bounded, never parsed.
const STATE_LIMIT: usize = 1024;
/// An email address at most (RFC 5321).
const LOGIN_HINT_LIMIT: usize = 254;

/// Where the answer goes.
pub struct Target<'a> {
    pub client: &'a Client,
    pub redirect_uri: &'a str,
    pub state: Option<&'a str>,
    /// As asked, or `query` when absent or unreadable (RFC 6749 errors
    /// then still reach the client).
    pub mode: ResponseMode,
}

impl<'a> Target<'a> {
    pub fn resolve(settings: &'a Settings, p: &'a Params<'_>) -> Result<Self, ApiError> {
        let client = p.client(settings)?;
        let redirect_uri = p.required("redirect_uri")?;
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(ApiError::UrlNotRegistered("redirect_uri"));
        }
        let state = p.optional("state")?;
        if state.is_some_and(|s| s.len() > STATE_LIMIT) {
            return Err(ApiError::invalid("state", FieldError::TooLong(STATE_LIMIT)));
        }
        let mode = p
            .optional("response_mode")
            .ok()
            .flatten()
            .and_then(|m| ResponseMode::parse(m).ok())
            .unwrap_or_default();
        Ok(Self {
            client,
            redirect_uri,
            state,
            mode,
        })
    }
}

/// The parameters a hosted form carries on to its POST, in this order;
/// the form's token binds their values ([`Request::canonical`]).
pub const CARRIED: [&str; 10] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "ui_locales",
];

/// The rest of the request, checked; the carried values are borrowed from
/// the request's parameters (a silent answer copies none of them).
pub struct Request<'p> {
    pub nonce: Option<Nonce>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub hint: Option<IdTokenHint>,
    pub locale: Locale,
    /// The carried parameters as `name=value&…`: hidden fields' source and
    /// what the form token binds.
    pub carried: Vec<(&'static str, &'p str)>,
}

impl<'p> Request<'p> {
    pub fn parse(
        state: &AppState,
        p: &'p Params<'_>,
        target: &Target<'_>,
    ) -> Result<Self, AuthorizeError> {
        // Read first: a client that sent them learns why nothing else matters.
        if p.optional("request")?.is_some() {
            return Err(AuthorizeError::RequestNotSupported);
        }
        if p.optional("request_uri")?.is_some() {
            return Err(AuthorizeError::RequestUriNotSupported);
        }
        p.parse_opt("response_mode", ResponseMode::parse)?;
        match p.required("response_type")? {
            "code" => {}
            _ => return Err(AuthorizeError::UnsupportedResponseType),
        }
        let scope = p.required("scope")?;
        Scope::parse(scope).map_err(|e| AuthorizeError::InvalidScope(e.to_string()))?;
        let options = p.code_options()?;
        if options.code_challenge.is_none() && target.client.secret_hash.is_none() {
            return Err(AuthorizeError::InvalidRequest(
                "a public client must send a PKCE `code_challenge` with `code_challenge_method=S256`"
                    .to_owned(),
            ));
        }
        let prompt = p.parse_opt("prompt", Prompt::parse)?.unwrap_or_default();
        let max_age = p.parse_opt("max_age", parse_max_age)?;
        let login_hint = p.optional("login_hint")?;
        if login_hint.is_some_and(|h| h.len() > LOGIN_HINT_LIMIT) {
            return Err(
                ApiError::invalid("login_hint", FieldError::TooLong(LOGIN_HINT_LIMIT)).into(),
            );
        }
        let settings = &state.settings;
        let hint = p
            .optional("id_token_hint")?
            .map(|t| read_id_token_hint(t, settings.issuer(), &state.id_tokens))
            .transpose()
            .map_err(|e| AuthorizeError::InvalidRequest(format!("`id_token_hint` {e}")))?;
        let ui_locales = p.optional("ui_locales")?;
        if ui_locales.is_some_and(|l| l.len() > 256) {
            return Err(ApiError::invalid("ui_locales", FieldError::TooLong(256)).into());
        }
        let mut carried = Vec::with_capacity(CARRIED.len());
        for name in CARRIED {
            if let Some(value) = p.optional(name)? {
                carried.push((name, value));
            }
        }
        Ok(Self {
            nonce: options.nonce,
            code_challenge: options.code_challenge,
            prompt,
            max_age,
            login_hint: login_hint.map(str::to_owned),
            hint,
            locale: Locale::choose(ui_locales),
            carried,
        })
    }

    /// The carried parameters, urlencoded in their fixed order.
    pub fn canonical(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.carried {
            out.append_pair(name, value);
        }
        out.finish()
    }

    /// The carried parameters and these, urlencoded: a link to the
    /// endpoint asking the same again (another page of it).
    pub fn query_with(&self, extra: &[(&str, &str)]) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.carried {
            out.append_pair(name, value);
        }
        for (name, value) in extra {
            out.append_pair(name, value);
        }
        out.finish()
    }
}
