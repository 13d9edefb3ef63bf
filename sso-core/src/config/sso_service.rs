//! The SSO services of the application API as configured (see the
//! `sso_service` module for how their responses are checked).

use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::JwkSet;

use crate::domain::ServiceId;

/// Algorithms a service may allow: asymmetric ones only.
pub const ALLOWED_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
];

#[derive(Debug, Clone)]
pub enum ServiceKind {
    /// ID tokens of this server; `aud` must be one of these clients.
    Federated { audiences: Vec<String> },
    Oidc {
        issuer: String,
        audience: String,
        jwks: JwkSet,
        algorithms: Vec<Algorithm>,
    },
}

#[derive(Debug, Clone)]
pub struct SsoService {
    pub id: ServiceId,
    pub kind: ServiceKind,
}
