use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A user's stable identifier (the `uuid` of the profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserId(pub Uuid);

impl UserId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// A user id as the server writes it: the 36-character hyphenated form
    /// (the other spellings `Uuid` reads are refused, so that one user has
    /// one spelling and the OpenAPI pattern is the whole rule).
    pub fn parse(raw: &str) -> Result<Self, super::FieldError> {
        match Uuid::try_parse(raw) {
            Ok(id) if raw.len() == 36 => Ok(Self(id)),
            _ => Err(super::FieldError::Malformed("a user id (uuid)")),
        }
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// What a flow may release to sites (`userData`). Users never change once
/// created, so a copy rides in every browser session signed in as the user
/// and in every code minted for them: `/sso/check`, `/sso/set` and
/// `/oauth/token` answer without reading the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// A stored user profile. `password_hash` is a PHC string (argon2id), empty
/// for users created through the API without a password (they cannot sign
/// in with one). `email` and `email_normalized` are empty for users created
/// with only a `username`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub email_normalized: String,
    pub display_name: String,
    pub password_hash: String,
    /// Unix time, seconds.
    pub created: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Role names; empty means the configured default role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Created through the application API (`user/create`): a site's own
    /// account, whose email is unique among API users only, so that the user
    /// an SSO sign-in brings can be created there with the same address.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub api_user: bool,
    /// The person opened the link mailed to `email` (and it is still their
    /// address). Read from the record wherever it is released, never from a
    /// profile copy, so it is true as soon as the link is followed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub email_verified: bool,
    /// The person's passkeys (at most [`super::MAX_PASSKEYS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<super::StoredPasskey>,
}

impl User {
    /// The passkey with this id (base64url), if the person has it.
    pub fn passkey(&self, id: &str) -> Option<&super::StoredPasskey> {
        self.passkeys.iter().find(|p| p.id() == id)
    }

    pub fn profile(&self) -> Profile {
        Profile {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_has_one_spelling() {
        let id = "3f49a27d-e2bc-4825-87a3-5e7a0104f5f5";
        assert_eq!(UserId::parse(id).unwrap().to_string(), id);
        assert!(UserId::parse(&id.to_uppercase()).is_ok());
        for other in [
            "3f49a27de2bc482587a35e7a0104f5f5",
            "{3f49a27d-e2bc-4825-87a3-5e7a0104f5f5}",
            "urn:uuid:3f49a27d-e2bc-4825-87a3-5e7a0104f5f5",
            "3f49a27d-e2bc-4825-87a3-5e7a0104f5f",
            "",
        ] {
            assert!(
                UserId::parse(other).is_err(),
                "{other} was read as a user id"
            );
        }
    }
}
