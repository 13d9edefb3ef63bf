//! What an ID token says: the standard claims of OpenID Connect Core §2 and
//! the profile fields the grant's flow releases (`email`, `name`).

use serde::{Deserialize, Serialize};

use crate::config::{Flow, UserField};
use crate::domain::Grant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    /// The user's uuid.
    pub sub: String,
    /// The client the code was issued to.
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    /// When the person signed in.
    pub auth_time: i64,
    /// How they signed in (RFC 8176): `["pwd"]`, or `["pop", "mfa"]` for a
    /// passkey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// With `email`: whether the person proved the address is theirs,
    /// read from their record when the token is issued (see
    /// [`with_email_verified`](IdTokenClaims::with_email_verified)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The sign-in behind the code (OpenID Connect Back-Channel Logout §2.1):
    /// a logout token for it carries the same `sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl IdTokenClaims {
    /// Says whether the released email is verified (nothing when no email
    /// is released): the profile copy a grant carries may be older than the
    /// verification, so the caller reads the user's record.
    pub async fn with_email_verified(
        mut self,
        store: &dyn crate::store::Store,
        user: crate::domain::UserId,
    ) -> Result<Self, crate::store::StoreError> {
        if self.email.is_some() {
            let user = store.user(user).await?;
            self.email_verified = Some(user.is_some_and(|u| u.email_verified));
        }
        Ok(self)
    }
}

/// The claims of the ID token for a redeemed `grant`, whose profile copy
/// is the user's (users never change once created).
pub fn id_token_claims(
    issuer: &str,
    grant: &Grant,
    flow: Option<&Flow>,
    now: i64,
    lifetime_secs: i64,
) -> IdTokenClaims {
    let releases = |field| flow.is_some_and(|f| f.user_data.contains(&field));
    let user = &grant.user;
    IdTokenClaims {
        iss: issuer.to_owned(),
        sub: user.id.to_string(),
        aud: grant.client.to_string(),
        exp: now + lifetime_secs,
        iat: now,
        auth_time: grant.auth_time,
        amr: grant.method.amr().iter().map(|m| (*m).to_owned()).collect(),
        nonce: grant.nonce.as_ref().map(|n| n.as_str().to_owned()),
        email: releases(UserField::Email).then(|| user.email.clone()),
        email_verified: None,
        name: releases(UserField::DisplayName).then(|| user.display_name.clone()),
        sid: grant.sid.as_ref().map(|s| s.as_str().to_owned()),
    }
}
