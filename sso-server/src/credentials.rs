//! The one reader of `Authorization` headers: HTTP Basic (RFC 7617) and
//! Bearer (RFC 6750), for `/oauth/token`, `/api` and `/entity`. Each
//! endpoint decides which schemes it takes and how it answers a refusal.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use secrecy::SecretString;

/// What an `Authorization` header carries.
#[derive(Debug)]
pub enum Authorization {
    /// `Basic base64(id:secret)`, as sent (RFC 7617).
    Basic { id: String, secret: SecretString },
    /// `Bearer <token>`, trimmed.
    Bearer(String),
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("the Authorization scheme must be Basic or Bearer")]
    Scheme,
    #[error("the Basic credentials are not base64 of id:secret")]
    Basic,
}

impl Authorization {
    /// Parses a header value (its raw bytes: a header may hold any).
    pub fn parse(value: &[u8]) -> Result<Self, CredentialsError> {
        let value = std::str::from_utf8(value).map_err(|_| CredentialsError::Scheme)?;
        if let Some(token) = value.strip_prefix("Bearer ") {
            return Ok(Self::Bearer(token.trim().to_owned()));
        }
        let encoded = value
            .strip_prefix("Basic ")
            .ok_or(CredentialsError::Scheme)?;
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(CredentialsError::Basic)?;
        let (id, secret) = decoded.split_once(':').ok_or(CredentialsError::Basic)?;
        Ok(Self::Basic {
            id: id.to_owned(),
            secret: secret.into(),
        })
    }

    /// The header of a request, if it has one.
    pub fn of(req: &actix_web::HttpRequest) -> Option<Result<Self, CredentialsError>> {
        req.headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .map(|v| Self::parse(v.as_bytes()))
    }
}

/// OAuth's Basic credentials are form-urlencoded before the base64
/// (RFC 6749 §2.3.1): the id and secret as the client registered them.
pub fn oauth_unescape(part: &str) -> Result<String, CredentialsError> {
    percent_decode_str(&part.replace('+', " "))
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| CredentialsError::Basic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_and_bearer_are_read_and_the_rest_refused() {
        use secrecy::ExposeSecret;
        let Ok(Authorization::Basic { id, secret }) =
            Authorization::parse(b"Basic bmV3czpuZXdzLXNlY3JldA==")
        else {
            panic!("Basic credentials");
        };
        assert_eq!(
            (id.as_str(), secret.expose_secret()),
            ("news", "news-secret")
        );
        assert!(format!("{secret:?}").contains("REDACTED"), "never printed");
        assert!(matches!(
            Authorization::parse(b"Bearer  abc "),
            Ok(Authorization::Bearer(t)) if t == "abc"
        ));
        for (value, error) in [
            (&b"Digest x"[..], CredentialsError::Scheme),
            (b"Basic !!", CredentialsError::Basic),
            (b"Basic bm9jb2xvbg==", CredentialsError::Basic),
        ] {
            assert_eq!(Authorization::parse(value).err(), Some(error));
        }
        assert_eq!(oauth_unescape("a%3Ab+c").unwrap(), "a:b c");
    }
}
