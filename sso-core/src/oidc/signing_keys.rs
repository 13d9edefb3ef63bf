//! The ES256 keys that sign ID tokens. The first key signs; all of them are
//! published in the JWKS, so a new key can be published before it signs and
//! an old one kept until the tokens it signed have expired (rotation).
//!
//! `kid` is the key's RFC 7638 thumbprint: stable across restarts and
//! instances without being configured.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand::RngCore;
use serde::Serialize;

use super::{IdTokenClaims, IssuedTokens};

pub const ALGORITHM: Algorithm = Algorithm::ES256;

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("cannot read id_token_keys file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("id_token_keys file {path}: {problem}")]
    Invalid { path: String, problem: String },
}

struct SigningKey {
    kid: String,
    key: EncodingKey,
    /// The same key, parsed once: jsonwebtoken parses the PKCS#8 (and
    /// checks the key pair) on every `encode`, which costs as much again as
    /// the signature itself.
    pair: EcdsaKeyPair,
    /// `{"typ":"JWT","alg":"ES256","kid":…}`, base64url.
    header: String,
}

pub struct SigningKeys {
    /// Never empty; the first one signs.
    keys: Vec<SigningKey>,
    jwks: JwkSet,
    /// What [`Self::sign_id_token`] signed, for [`Self::signed_here`].
    issued: IssuedTokens,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("SigningKeys").field("kids", &kids).finish()
    }
}

impl SigningKeys {
    /// Reads a PEM file of one or more PKCS#8 P-256 private keys
    /// (`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`).
    pub fn load(path: &std::path::Path) -> Result<Self, SigningKeyError> {
        let shown = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| SigningKeyError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::from_pem(&text).map_err(|problem| SigningKeyError::Invalid {
            path: shown,
            problem,
        })
    }

    pub fn from_pem(text: &[u8]) -> Result<Self, String> {
        let blocks = pem::parse_many(text).map_err(|e| format!("not PEM: {e}"))?;
        let ders = blocks
            .iter()
            .enumerate()
            .map(|(i, block)| {
                if block.tag() != "PRIVATE KEY" {
                    return Err(format!(
                        "block {} is `{}`, expected `PRIVATE KEY` (PKCS#8)",
                        i + 1,
                        block.tag()
                    ));
                }
                p256::SecretKey::from_pkcs8_der(block.contents())
                    .map_err(|e| format!("block {} is not a P-256 private key: {e}", i + 1))?;
                Ok(block.contents().to_vec())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ders.is_empty() {
            return Err("holds no private key".to_owned());
        }
        Self::from_pkcs8(ders)
    }

    /// One fresh key: ID tokens then verify only while this process runs.
    pub fn generate() -> Self {
        let secret = loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            // Fails only for zero or values ≥ the group order: never, in practice.
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                break key;
            }
        };
        let der = secret
            .to_pkcs8_der()
            .expect("a P-256 key encodes as PKCS#8");
        Self::from_pkcs8(vec![der.as_bytes().to_vec()]).expect("a generated key is valid")
    }

    fn from_pkcs8(ders: Vec<Vec<u8>>) -> Result<Self, String> {
        let mut keys = Vec::with_capacity(ders.len());
        let mut jwks = Vec::with_capacity(ders.len());
        for der in ders {
            let key = EncodingKey::from_ec_der(&der);
            let mut jwk = Jwk::from_encoding_key(&key, ALGORITHM).map_err(|e| e.to_string())?;
            let kid = jwk
                .thumbprint(ThumbprintHash::SHA256)
                .map_err(|e| e.to_string())?;
            if keys.iter().any(|k: &SigningKey| k.kid == kid) {
                return Err(format!("key {kid} is listed twice"));
            }
            jwk.common.key_id = Some(kid.clone());
            jwk.common.public_key_use = Some(PublicKeyUse::Signature);
            jwks.push(jwk);
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                .map_err(|e| e.to_string())?;
            let mut header = Header::new(ALGORITHM);
            header.kid = Some(kid.clone());
            let header = URL_SAFE_NO_PAD
                .encode(serde_json::to_vec(&header).expect("a JWS header serialises"));
            keys.push(SigningKey {
                kid,
                key,
                pair,
                header,
            });
        }
        Ok(Self {
            keys,
            jwks: JwkSet { keys: jwks },
            issued: IssuedTokens::default(),
        })
    }

    /// The signing key as a PEM block (PKCS#8), as `id_token_keys` files hold.
    pub fn private_pem(&self) -> String {
        pem::encode(&pem::Pem::new("PRIVATE KEY", self.private_der()))
    }

    /// The PKCS#8 DER of the signing key, for writing a key file.
    pub fn private_der(&self) -> Vec<u8> {
        self.keys[0].key.as_bytes().to_vec()
    }

    /// The public keys, as served at the JWKS URL.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// The `kid` of the key that signs.
    pub fn current_kid(&self) -> &str {
        &self.keys[0].kid
    }

    /// An ID token, remembered until it expires (see [`IssuedTokens`]).
    pub fn sign_id_token(&self, claims: &IdTokenClaims, now: i64) -> String {
        let token = self.sign(claims);
        self.issued.record(&token, claims.exp, now);
        token
    }

    /// Whether `token` is byte for byte an unexpired ID token this process
    /// signed, so that its signature needs no checking.
    pub fn signed_here(&self, token: &str, now: i64) -> bool {
        self.issued.contains(token, now)
    }

    /// A compact JWS of `claims` under the current key.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        self.sign_with_header(&self.keys[0].header, claims)
    }

    /// The same with an explicit `typ` (e.g. `logout+jwt`), so that a token
    /// of one kind cannot be passed off as another.
    pub fn sign_typed(&self, typ: &str, claims: &impl Serialize) -> String {
        let current = &self.keys[0];
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(current.kid.clone());
        header.typ = Some(typ.to_owned());
        let header =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("a JWS header serialises"));
        self.sign_with_header(&header, claims)
    }

    fn sign_with_header(&self, header: &str, claims: &impl Serialize) -> String {
        let current = &self.keys[0];
        let payload = serde_json::to_vec(claims).expect("claims serialise");
        let mut token = header.to_owned();
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = current
            .pair
            .sign(&SystemRandom::new(), token.as_bytes())
            .expect("a validated P-256 key signs");
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut token);
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn tokens_verify_with_the_published_key_of_their_kid() {
        let keys = SigningKeys::generate();
        let token = keys.sign(&serde_json::json!({"sub": "u", "exp": i64::MAX / 2}));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        let kid = header.kid.unwrap();
        assert_eq!(kid, keys.current_kid());
        let jwk = keys.jwks().find(&kid).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_aud = false;
        let decoded = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &DecodingKey::from_jwk(jwk).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.claims["sub"], "u");
    }

    #[test]
    fn key_files_are_checked() {
        let err = |text: &str| SigningKeys::from_pem(text.as_bytes()).unwrap_err();
        assert!(err("").contains("no private key"));
        assert!(err("hello").contains("no private key"));
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(
            err(cert).contains("expected `PRIVATE KEY`"),
            "{}",
            err(cert)
        );
        let junk = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(
            err(junk).contains("not a P-256 private key"),
            "{}",
            err(junk)
        );
    }

    #[test]
    fn a_key_file_lists_every_key_and_signs_with_the_first() {
        let pem_of = |keys: &SigningKeys| {
            pem::encode(&pem::Pem::new(
                "PRIVATE KEY",
                keys.keys[0].key.as_bytes().to_vec(),
            ))
        };
        let (a, b) = (SigningKeys::generate(), SigningKeys::generate());
        let both =
            SigningKeys::from_pem(format!("{}{}", pem_of(&a), pem_of(&b)).as_bytes()).unwrap();
        assert_eq!(both.current_kid(), a.current_kid());
        assert_eq!(both.jwks().keys.len(), 2);
        assert!(both.jwks().find(b.current_kid()).is_some());
        let twice = format!("{}{}", pem_of(&a), pem_of(&a));
        assert!(
            SigningKeys::from_pem(twice.as_bytes())
                .unwrap_err()
                .contains("twice")
        );
    }
}
