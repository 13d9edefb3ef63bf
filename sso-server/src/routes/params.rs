//! Request parameters (query string or urlencoded form), read by name and
//! parsed into domain types with catalog errors that name the parameter.

use std::borrow::Cow;
use std::collections::HashMap;

use actix_web::{HttpRequest, web};

use crate::error::ApiError;
use sso_core::config::{Client, Flow, Settings};
use sso_core::domain::{ClientId, CodeChallenge, FieldError, Nonce};

/// Longest value accepted for any parameter; the typed parsers are stricter.
const MAX_VALUE: usize = 4096;

/// Largest request body any endpoint reads (forms at `/oauth/*` and `/api`).
pub const BODY_LIMIT: usize = 16 * 1024;

/// Name-value pairs in request order. A query string is read in place:
/// values that need no percent-decoding are borrowed, not copied (the SSO
/// endpoints answer every page load of every site).
pub struct Params<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl Params<'static> {
    pub fn new(map: HashMap<String, String>) -> Self {
        Self(
            map.into_iter()
                .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v)))
                .collect(),
        )
    }
}

impl<'a> Params<'a> {
    /// A urlencoded query string. A name may appear once: a repeat is
    /// refused (the one rule for every endpoint), so no two parts of the
    /// server can read different values of one parameter.
    pub fn from_query(query: &'a str) -> Result<Self, ApiError> {
        let pairs: Vec<_> = url::form_urlencoded::parse(query.as_bytes()).collect();
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::UnreadableRequest(
                    FormError::Repeated(ApiError::echo(name)).to_string(),
                ));
            }
        }
        Ok(Self(pairs))
    }

    /// A present, non-empty value.
    pub fn required(&self, name: &'static str) -> Result<&str, ApiError> {
        self.optional(name)?.ok_or(ApiError::MissingArgument(name))
    }

    /// `None` when absent or empty.
    pub fn optional(&self, name: &'static str) -> Result<Option<&str>, ApiError> {
        let value = self.0.iter().find(|(k, _)| k == name);
        match value.map(|(_, v)| v.as_ref()) {
            None | Some("") => Ok(None),
            Some(v) if v.len() > MAX_VALUE => {
                Err(ApiError::invalid(name, FieldError::TooLong(MAX_VALUE)))
            }
            Some(v) => Ok(Some(v)),
        }
    }

    pub fn parse<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Result<T, ApiError> {
        parse(self.required(name)?).map_err(|p| ApiError::invalid(name, p))
    }

    pub fn parse_opt<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Result<Option<T>, ApiError> {
        self.optional(name)?
            .map(|v| parse(v).map_err(|p| ApiError::invalid(name, p)))
            .transpose()
    }

    /// A boolean flag: `true`/`false`, `1`/`0`, `on`/`off`; absent is false.
    pub fn flag(&self, name: &'static str) -> Result<bool, ApiError> {
        Ok(self
            .parse_opt(name, |v| match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" => Ok(true),
                "false" | "0" | "off" | "no" => Ok(false),
                _ => Err(FieldError::Malformed("`true` or `false`")),
            })?
            .unwrap_or(false))
    }

    /// The registered client named by `client_id`.
    pub fn client<'s>(&self, settings: &'s Settings) -> Result<&'s Client, ApiError> {
        let raw = self.required("client_id")?;
        ClientId::parse(raw)
            .ok()
            .and_then(|id| settings.client(&id))
            .ok_or_else(|| ApiError::UnknownClient(ApiError::echo(raw)))
    }

    /// The flow named by `flow`, checked against the client, `flow_version`
    /// and `locale`. With `required == false` all three may be absent.
    pub fn flow<'s>(
        &self,
        settings: &'s Settings,
        client: &Client,
        required: bool,
    ) -> Result<Option<&'s Flow>, ApiError> {
        let name = if required {
            Some(self.required("flow")?)
        } else {
            self.optional("flow")?
        };
        let Some(name) = name else {
            return Ok(None);
        };
        let flow = settings
            .flows
            .get(name)
            .filter(|_| client.flows.iter().any(|f| f == name))
            .ok_or_else(|| ApiError::UnknownFlow(ApiError::echo(name)))?;
        let version = self.required("flow_version")?;
        if !flow.versions.iter().any(|v| v == version) {
            return Err(ApiError::UnknownFlowVersion(ApiError::echo(version)));
        }
        let locale = self.required("locale")?;
        if !flow.locales.iter().any(|l| l == locale) {
            return Err(ApiError::UnknownLocale(ApiError::echo(locale)));
        }
        Ok(Some(flow))
    }
}

/// What a request for an authorization code may add for the token request:
/// a PKCE challenge and an OpenID Connect nonce.
#[derive(Debug, Default)]
pub struct CodeOptions {
    pub code_challenge: Option<CodeChallenge>,
    pub nonce: Option<Nonce>,
}

impl Params<'_> {
    pub fn code_options(&self) -> Result<CodeOptions, ApiError> {
        let code_challenge = self.parse_opt("code_challenge", CodeChallenge::parse)?;
        match (&code_challenge, self.optional("code_challenge_method")?) {
            (Some(_), None) => return Err(ApiError::MissingArgument("code_challenge_method")),
            (None, Some(_)) => return Err(ApiError::MissingArgument("code_challenge")),
            (Some(_), Some(method)) => CodeChallenge::parse_method(method)
                .map_err(|p| ApiError::invalid("code_challenge_method", p))?,
            (None, None) => {}
        }
        Ok(CodeOptions {
            code_challenge,
            nonce: self.parse_opt("nonce", Nonce::parse)?,
        })
    }
}

/// Why a strictly read form was refused.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("Content-Type must be application/x-www-form-urlencoded")]
    ContentType,
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the request body could not be read: {0}")]
    Unreadable(String),
    #[error("the request body did not arrive within {0} seconds")]
    TimedOut(u64),
    #[error("parameter `{0}` is repeated")]
    Repeated(String),
}

/// How long a request body may take to arrive. A client that declares a
/// body and trickles it in holds a connection, and a file descriptor, for as
/// long as it is let; every body is small, so this is generous.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// A urlencoded body, for every endpoint that reads one, within
/// [`BODY_DEADLINE`]: a repeated
/// parameter is an error rather than one of its values winning (RFC 6749
/// §3.2; the one rule, as for query strings), and empty values are absent.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<HashMap<String, String>, FormError> {
    let form_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim() == "application/x-www-form-urlencoded");
    if !form_type {
        return Err(FormError::ContentType);
    }
    let body = tokio::time::timeout(BODY_DEADLINE, payload.to_bytes_limited(limit))
        .await
        .map_err(|_| FormError::TimedOut(BODY_DEADLINE.as_secs()))?
        .map_err(|_| FormError::TooLarge(limit))?
        .map_err(|e| FormError::Unreadable(e.to_string()))?;
    parse_form(&body)
}

/// A urlencoded body's fields: a repeated name is refused, empty values
/// are dropped.
pub fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, FormError> {
    let mut form = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if value.is_empty() {
            continue;
        }
        if form
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(FormError::Repeated(ApiError::echo(&name)));
        }
    }
    Ok(form)
}

impl From<FormError> for ApiError {
    fn from(err: FormError) -> Self {
        match err {
            FormError::TooLarge(limit) => ApiError::PayloadTooLarge(limit),
            FormError::TimedOut(secs) => ApiError::RequestTimeout(secs),
            other => ApiError::UnreadableRequest(other.to_string()),
        }
    }
}

/// The registration API's form: read by [`read_form`], so the one rule for
/// repeated parameters holds there too; errors in catalog form.
pub struct Form(HashMap<String, String>);

impl Form {
    pub fn into_inner(self) -> HashMap<String, String> {
        self.0
    }
}

impl actix_web::FromRequest for Form {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let payload = payload
                .await
                .map_err(|e| ApiError::UnreadableRequest(e.to_string()))?;
            Ok(Self(read_form(&req, payload, BODY_LIMIT).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decodes_like_a_form_and_a_repeat_is_refused() {
        let p = Params::from_query(
            "a=2&b=x%2By+z&&c&xd_receiver=http%3A%2F%2Fh%2Fr&bad=%FF&uni=%C3%84",
        )
        .unwrap();
        assert_eq!(p.optional("a").unwrap(), Some("2"));
        assert_eq!(p.optional("b").unwrap(), Some("x+y z"));
        assert_eq!(p.optional("c").unwrap(), None);
        assert_eq!(p.optional("xd_receiver").unwrap(), Some("http://h/r"));
        assert_eq!(p.optional("bad").unwrap(), Some("\u{FFFD}"));
        assert_eq!(p.optional("uni").unwrap(), Some("Ä"));
        assert_eq!(p.optional("missing").unwrap(), None);
        let repeated = Params::from_query("a=1&b=2&a=1").err().unwrap();
        assert!(
            repeated.to_string().contains("`a` is repeated"),
            "{repeated}"
        );
        let repeated = parse_form(b"a=1&a=2").unwrap_err();
        assert!(matches!(repeated, FormError::Repeated(name) if name == "a"));
    }
}
