//! `id_token_hint` (OpenID Connect RP-Initiated Logout 1.0 §2): an ID token
//! this server issued, handed back by the client that got it to say whose
//! sign-in to end. Its signature and issuer are checked; its expiry is not,
//! as the specification asks: a person signs out long after their ID token
//! expired.

use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;

use crate::oidc::{ALGORITHM, SigningKeys};

/// Longer than any ID token we sign; anything longer is refused unread.
const MAX_LEN: usize = 4096;

/// What a valid hint says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    /// The client it was issued to (`aud`).
    pub client: String,
    /// The person (`sub`, their uuid).
    pub subject: String,
    /// The sign-in (`sid`), when the token had one.
    pub sid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HintError {
    #[error("is not an ID token (a signed JWT of at most {MAX_LEN} bytes)")]
    Malformed,
    #[error("was not signed by this server")]
    NotOurs,
}

#[derive(Deserialize)]
struct Claims {
    aud: String,
    sub: String,
    #[serde(default)]
    sid: Option<String>,
}

/// Reads a hint signed by one of `keys` for `issuer`.
pub fn read_id_token_hint(
    token: &str,
    issuer: &str,
    keys: &SigningKeys,
) -> Result<IdTokenHint, HintError> {
    if token.len() > MAX_LEN {
        return Err(HintError::Malformed);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| HintError::Malformed)?;
    if header.alg != ALGORITHM {
        return Err(HintError::NotOurs);
    }
    let jwk = header
        .kid
        .as_deref()
        .and_then(|kid| keys.jwks().find(kid))
        .ok_or(HintError::NotOurs)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| HintError::NotOurs)?;
    let mut validation = Validation::new(ALGORITHM);
    validation.set_issuer(&[issuer]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|_| HintError::NotOurs)?
        .claims;
    Ok(IdTokenHint {
        client: claims.aud,
        subject: claims.sub,
        sid: claims.sid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::IdTokenClaims;

    fn claims(exp: i64) -> IdTokenClaims {
        IdTokenClaims {
            iss: "https://sso.example".into(),
            sub: "a-uuid".into(),
            aud: "wiki".into(),
            exp,
            iat: 0,
            auth_time: 0,
            amr: Vec::new(),
            nonce: None,
            email: None,
            email_verified: None,
            name: None,
            sid: Some("the-sid".into()),
        }
    }

    #[test]
    fn an_expired_hint_of_ours_is_read() {
        let keys = SigningKeys::generate();
        let token = keys.sign_id_token(&claims(1), 0);
        let hint = read_id_token_hint(&token, "https://sso.example", &keys).unwrap();
        assert_eq!(hint.client, "wiki");
        assert_eq!(hint.subject, "a-uuid");
        assert_eq!(hint.sid.as_deref(), Some("the-sid"));
    }

    #[test]
    fn another_signer_issuer_or_shape_is_refused() {
        let keys = SigningKeys::generate();
        let other = SigningKeys::generate().sign_id_token(&claims(1), 0);
        assert_eq!(
            read_id_token_hint(&other, "https://sso.example", &keys),
            Err(HintError::NotOurs)
        );
        let ours = keys.sign_id_token(&claims(1), 0);
        assert_eq!(
            read_id_token_hint(&ours, "https://elsewhere.example", &keys),
            Err(HintError::NotOurs)
        );
        for junk in ["", "a.b.c", &"x".repeat(MAX_LEN + 1)] {
            assert_eq!(
                read_id_token_hint(junk, "https://sso.example", &keys),
                Err(HintError::Malformed)
            );
        }
    }
}
