//! `/.well-known/openid-configuration` and the JWKS it names, rendered once
//! at start: both only change with the configuration.

use serde_json::json;

use sso_core::oidc::{ALGORITHM, SigningKeys};

pub const JWKS_PATH: &str = "/oauth/jwks";

pub struct Discovery {
    pub document: String,
    pub jwks: String,
}

impl Discovery {
    pub fn new(issuer: &str, keys: &SigningKeys) -> Self {
        let alg = serde_json::to_value(ALGORITHM).expect("an algorithm serialises");
        let document = json!({
            "issuer": issuer,
            // For standard clients; the library keeps `/sso/check`.
            "authorization_endpoint": format!("{issuer}/oauth/authorize"),
            "token_endpoint": format!("{issuer}/oauth/token"),
            "userinfo_endpoint": format!("{issuer}/oauth/userinfo"),
            "jwks_uri": format!("{issuer}{JWKS_PATH}"),
            // OpenID Connect RP-Initiated Logout 1.0.
            "end_session_endpoint": format!("{issuer}/oauth/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "prompt_values_supported": ["none", "login", "create", "consent", "select_account"],
            // RFC 9207: every answer of the authorization endpoint has `iss`.
            "authorization_response_iss_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
            "ui_locales_supported": ["en", "sv"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [alg],
            "token_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile", "offline_access"],
            "claims_supported":
                ["iss", "sub", "aud", "exp", "iat", "auth_time", "amr", "nonce", "email", "email_verified", "name", "sid"],
            // OpenID Connect Back-Channel Logout 1.0: logout tokens carry `sid`.
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
        });
        Self {
            document: document.to_string(),
            jwks: serde_json::to_string(keys.jwks()).expect("a JWKS serialises"),
        }
    }
}
