//! The `check_session` config object: the 16 parameters of the original JavaScript library plus
//! `timeout` and, for `response_type: "code"`, the OpenID Connect `nonce`
//! and the PKCE `code_challenge`, validated into a [`Config`]. Pure Rust, so it is unit-tested
//! natively. The page script describes each JS value as text (see
//! [`Raw::read`]), so no JS object crosses into the wasm.

use crate::error::Problem;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// A config value as the page script found it on the JS object.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Absent,
    Str(String),
    /// A number that is whole and not negative; any other number is
    /// [`Raw::Other`].
    Whole(u64),
    Bool(bool),
    Func,
    /// A JS object (not `null`, not a function).
    Object,
    Other,
}

impl Raw {
    /// A value as `library.js` describes it: `""` when `null` or
    /// `undefined`, else a type letter (`s`tring, `n`umber, `b`oolean,
    /// `f`unction, `o`bject, `x` for anything else) followed, for the first
    /// three, by JS's `String(value)`.
    pub fn read(field: &str) -> Self {
        // `get`, not slicing: a slice's panic on a bad boundary brings
        // core::fmt into the wasm. After an ASCII tag, 1 is a boundary.
        let text = field.get(1..).unwrap_or_default();
        match field.as_bytes().first() {
            None => Self::Absent,
            Some(b's') => Self::Str(text.to_owned()),
            Some(b'n') => crate::text::parse_decimal(text).map_or(Self::Other, Self::Whole),
            Some(b'b') => Self::Bool(text == "true"),
            Some(b'f') => Self::Func,
            Some(b'o') => Self::Object,
            _ => Self::Other,
        }
    }
}

/// `check_session`'s arguments as the page script sends them: names and
/// [`Raw::read`] fields, alternating, separated by NUL (a field never holds
/// one: a string with a NUL is described as `x`).
pub struct Fields<'a>(Vec<&'a str>);

impl<'a> Fields<'a> {
    pub fn new(input: &'a str) -> Self {
        Self(input.split(crate::text::is('\0')).collect())
    }

    /// The named value; absent when not sent.
    pub fn get(&self, name: &str) -> Raw {
        self.0
            .chunks_exact(2)
            .find(|pair| pair[0] == name)
            .map_or(Raw::Absent, |pair| Raw::read(pair[1]))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    #[default]
    Token,
    Code,
}

impl ResponseType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Code => "code",
        }
    }
}

/// How a request reaches the server: `jsonp` is the original library's name for the
/// in-page hidden iframe; `auto` (our default) falls back to a top-level
/// redirect when the browser withholds the SSO cookie from the iframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMethod {
    Jsonp,
    Redirect,
    #[default]
    Auto,
}

impl ResponseMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jsonp => "jsonp",
            Self::Redirect => "redirect",
            Self::Auto => "auto",
        }
    }
}

/// The four site callbacks the config may carry.
pub const CALLBACKS: [&str; 4] = [
    "capture_success",
    "capture_error",
    "callback_success",
    "callback_failure",
];

pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub client_id: String,
    pub flow_name: String,
    pub flow_version: String,
    pub locale: String,
    pub redirect_uri: String,
    /// Without a trailing `/`.
    pub sso_server: String,
    pub xd_receiver: String,
    pub bp_channel: String,
    pub logout_uri: Option<String>,
    pub refresh: bool,
    pub response_method: ResponseMethod,
    pub response_type: ResponseType,
    /// How long a request may go unanswered (ms).
    pub timeout_ms: u32,
    /// PKCE (S256): the code can be redeemed only with the matching
    /// `code_verifier`, which the site's backend keeps.
    pub code_challenge: Option<String>,
    /// Returned unchanged in the ID token the code is redeemed for.
    pub nonce: Option<String>,
}

/// The string parameters in the order they are checked: name, shape, and
/// whether it is required. A table and one loop, because a hand-written
/// check per parameter compiled to kilobytes of wasm (each `?` dropping
/// every value read before it).
const TEXTS: [(&str, Text, bool); 13] = [
    ("client_id", Text::Id, true),
    ("flow_name", Text::Id, true),
    ("flow_version", Text::Version, true),
    ("locale", Text::Id, true),
    ("redirect_uri", Text::Url, true),
    ("sso_server", Text::Url, true),
    ("xd_receiver", Text::Url, true),
    ("bp_channel", Text::Channel, false),
    ("logout_uri", Text::Url, false),
    ("response_method", Text::Method, false),
    ("response_type", Text::Type, false),
    ("code_challenge", Text::Challenge, false),
    ("nonce", Text::Nonce, false),
];

impl Config {
    /// Validates the values `get` returns for each parameter name.
    pub fn parse(get: impl Fn(&'static str) -> Raw) -> Result<Self, Problem> {
        for name in CALLBACKS {
            if !matches!(get(name), Raw::Absent | Raw::Func) {
                return Err(Problem::invalid(name, "a function"));
            }
        }
        let mut texts: [Option<String>; 13] = Default::default();
        for ((name, shape, required), slot) in TEXTS.into_iter().zip(&mut texts) {
            *slot = shape
                .read(get(name))
                .ok_or(Problem::invalid(name, shape.expected()))?;
            if required && slot.is_none() {
                return Err(Problem::Missing(name));
            }
        }
        let [
            client_id,
            flow_name,
            flow_version,
            locale,
            redirect_uri,
            sso_server,
            xd_receiver,
            bp_channel,
            logout_uri,
            response_method,
            response_type,
            code_challenge,
            nonce,
        ] = texts;
        let refresh = match get("refresh") {
            Raw::Absent => false,
            Raw::Bool(b) => b,
            _ => return Err(Problem::invalid("refresh", "true or false")),
        };
        let timeout_ms = match get("timeout") {
            Raw::Absent => DEFAULT_TIMEOUT_MS,
            Raw::Whole(n @ 1..=600_000) => n as u32,
            _ => {
                return Err(Problem::invalid(
                    "timeout",
                    "a whole number of milliseconds from 1 to 600000",
                ));
            }
        };
        let response_type = match response_type.as_deref() {
            Some("code") => ResponseType::Code,
            _ => ResponseType::Token,
        };
        // S256 is the only method (the server refuses `plain`); naming it
        // is optional.
        match get("code_challenge_method") {
            Raw::Absent => {}
            Raw::Str(s) if s.is_empty() || s == "S256" => {}
            _ => return Err(Problem::invalid("code_challenge_method", "\"S256\"")),
        }
        if response_type == ResponseType::Token {
            for (name, value) in [("code_challenge", &code_challenge), ("nonce", &nonce)] {
                if value.is_some() {
                    return Err(Problem::invalid(
                        name,
                        "used only with response_type \"code\"",
                    ));
                }
            }
        }
        // The required ones are `Some` by now.
        Ok(Self {
            client_id: client_id.unwrap_or_default(),
            flow_name: flow_name.unwrap_or_default(),
            flow_version: flow_version.unwrap_or_default(),
            locale: locale.unwrap_or_default(),
            redirect_uri: redirect_uri.unwrap_or_default(),
            sso_server: server_base(sso_server.as_deref().unwrap_or_default()),
            xd_receiver: xd_receiver.unwrap_or_default(),
            bp_channel: bp_channel.unwrap_or_default(),
            logout_uri,
            refresh,
            response_method: match response_method.as_deref() {
                Some("jsonp") => ResponseMethod::Jsonp,
                Some("redirect") => ResponseMethod::Redirect,
                _ => ResponseMethod::Auto,
            },
            response_type,
            timeout_ms,
            code_challenge,
            nonce,
        })
    }
}

/// What a string parameter must look like, and how an error says so.
#[derive(Clone, Copy)]
enum Text {
    Id,
    Url,
    Channel,
    /// A version string, or a whole number (the original library allows
    /// `flow_version: 20240101`).
    Version,
    /// `jsonp`, `redirect` or `auto`, in any case.
    Method,
    /// `token` or `code`.
    Type,
    /// BASE64URL(SHA-256(verifier)): 43 characters.
    Challenge,
    Nonce,
}

impl Text {
    /// `Some(None)` when absent (`null`, `undefined` or `""`), `None` when
    /// malformed.
    fn read(self, raw: Raw) -> Option<Option<String>> {
        let s = match raw {
            Raw::Absent => return Some(None),
            Raw::Whole(n) if matches!(self, Self::Version) => {
                return (n < 1_000_000_000_000_000).then(|| Some(crate::text::decimal(n)));
            }
            Raw::Str(s) => s,
            _ => return None,
        };
        if s.is_empty() {
            return Some(None);
        }
        let s = match self {
            Self::Method => s.to_ascii_lowercase(),
            _ => s,
        };
        let ok = match self {
            Self::Id | Self::Version => is_token(&s),
            Self::Url => is_url(&s),
            Self::Channel => s.len() <= 1024,
            Self::Method => matches!(s.as_str(), "jsonp" | "redirect" | "auto"),
            Self::Type => matches!(s.as_str(), "token" | "code"),
            Self::Challenge => {
                s.len() == 43
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            }
            Self::Nonce => s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()),
        };
        ok.then_some(Some(s))
    }
    fn expected(self) -> &'static str {
        match self {
            Self::Id => "a string of letters, digits, '_', '.' or '-'",
            Self::Url => "an absolute http(s) URL",
            Self::Channel => "a string of at most 1024 bytes",
            Self::Version => "a version string or a whole number",
            Self::Method => "\"jsonp\", \"redirect\" or \"auto\"",
            Self::Type => "\"token\" or \"code\"",
            Self::Challenge => "the 43-character base64url SHA-256 of the code_verifier",
            Self::Nonce => "at most 255 printable ASCII characters",
        }
    }
}

/// The server URL as requests are built from it: without a trailing `/`.
pub fn server_base(url: &str) -> String {
    url.trim_end_matches(crate::text::is('/')).to_owned()
}

pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// An absolute http(s) URL with a host and without a fragment (the result
/// travels in the fragment) or characters a browser would rewrite.
pub fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    !host.is_empty()
        && !host.contains('@')
        && s.len() <= 2048
        && !s.contains('#')
        && s.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests;
