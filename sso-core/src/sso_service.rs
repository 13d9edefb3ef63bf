//! SSO services of the application API: where an SSO *response* comes from
//! and how it is checked before the SSO *token* inside it (`sub`) is used.
//!
//! - `federated`: the response is an ID token of this server (from
//!   `/oauth/token`), accepted for the audiences (clients) listed.
//! - `oidc`: an ID token of an external OpenID provider, checked against its
//!   configured issuer, audience and JWKS (never fetched over the network).
//!
//! Both are checked the same way: the header's `alg` must be on the
//! service's allow-list (asymmetric algorithms only, so `none` and
//! HS256-signed-with-the-public-key never pass), the key is chosen by `kid`
//! and must be of that algorithm's family (no algorithm confusion), then
//! signature, `iss`, `aud`, `exp` (with a bounded clock skew) and `sub`.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::config::{ServiceKind, SsoService};
use crate::oidc::{IdTokenClaims, SigningKeys};

/// Why a response was refused; the API answers `SSO_RESPONSE_INVALID` with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("the response is not a signed JWT")]
    Malformed,
    #[error("algorithm {0} is not accepted for this service")]
    Algorithm(String),
    #[error("no key of this service has the token's kid")]
    UnknownKey,
    #[error("the key for this kid is not a {0} key")]
    KeyMismatch(String),
    #[error("the token's typ `{0}` is not an ID token's (absent or JWT)")]
    Type(String),
    #[error("the token was not accepted: {0}")]
    Rejected(String),
}

#[derive(Deserialize)]
struct Subject {
    sub: String,
    /// Issued-at, Unix seconds: a token from the future is refused.
    #[serde(default)]
    iat: Option<i64>,
}

/// What checking a response needs to know about this server itself.
pub struct OwnIssuer<'a> {
    pub issuer: &'a str,
    pub keys: &'a SigningKeys,
    /// Unix time, seconds.
    pub now: i64,
}

impl SsoService {
    /// The SSO token (`sub`) of a valid response.
    pub fn token_of(
        &self,
        response: &str,
        own: &OwnIssuer<'_>,
        clock_skew_secs: u64,
    ) -> Result<String, ResponseError> {
        if let ServiceKind::Federated { audiences } = &self.kind
            && own.keys.signed_here(response, own.now)
        {
            return own_token_subject(response, own.issuer, audiences);
        }
        let (issuer, audiences, jwks, algorithms): (&str, Vec<&str>, &JwkSet, &[Algorithm]) =
            match &self.kind {
                ServiceKind::Federated { audiences } => (
                    own.issuer,
                    audiences.iter().map(String::as_str).collect(),
                    own.keys.jwks(),
                    &[crate::oidc::ALGORITHM],
                ),
                ServiceKind::Oidc {
                    issuer,
                    audience,
                    jwks,
                    algorithms,
                } => (issuer, vec![audience.as_str()], jwks, algorithms),
            };
        let header = jsonwebtoken::decode_header(response).map_err(|_| ResponseError::Malformed)?;
        // An ID token is typed `JWT` or not at all; `at+jwt` (RFC 9068) and
        // other types are tokens for other purposes.
        if let Some(typ) = &header.typ
            && !typ.eq_ignore_ascii_case("JWT")
        {
            return Err(ResponseError::Type(typ.chars().take(32).collect()));
        }
        if !algorithms.contains(&header.alg) {
            return Err(ResponseError::Algorithm(format!("{:?}", header.alg)));
        }
        let jwk = match &header.kid {
            Some(kid) => jwks.find(kid),
            None if jwks.keys.len() == 1 => jwks.keys.first(),
            None => None,
        }
        .ok_or(ResponseError::UnknownKey)?;
        if !key_fits(jwk, header.alg) {
            return Err(ResponseError::KeyMismatch(format!("{:?}", header.alg)));
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| ResponseError::UnknownKey)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&audiences);
        validation.leeway = clock_skew_secs;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Subject>(response, &key, &validation)
            .map_err(|e| ResponseError::Rejected(e.to_string()))?;
        let skew = i64::try_from(clock_skew_secs).unwrap_or(i64::MAX);
        if data
            .claims
            .iat
            .is_some_and(|iat| iat > own.now.saturating_add(skew))
        {
            return Err(ResponseError::Rejected("`iat` is in the future".to_owned()));
        }
        if data.claims.sub.is_empty() || data.claims.sub.len() > 255 {
            return Err(ResponseError::Rejected(
                "`sub` must be 1 to 255 bytes".to_owned(),
            ));
        }
        Ok(data.claims.sub)
    }
}

/// The `sub` of an ID token this process signed (so its signature and
/// expiry stand): what is left to check is that it was for this service.
fn own_token_subject(
    response: &str,
    issuer: &str,
    audiences: &[String],
) -> Result<String, ResponseError> {
    let claims: IdTokenClaims = jsonwebtoken::dangerous::insecure_decode_claims(response)
        .map_err(|_| ResponseError::Malformed)?;
    if claims.iss != issuer {
        return Err(ResponseError::Rejected("InvalidIssuer".to_owned()));
    }
    if !audiences.contains(&claims.aud) {
        return Err(ResponseError::Rejected("InvalidAudience".to_owned()));
    }
    Ok(claims.sub)
}

/// The key's type (and declared `alg`, if any) matches the algorithm.
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let family = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(_) => {
            matches!(alg, Algorithm::ES256 | Algorithm::ES384)
        }
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256
        ),
        _ => false,
    };
    let declared = jwk
        .common
        .key_algorithm
        .is_none_or(|k| k.to_string() == format!("{alg:?}"));
    family && declared
}
