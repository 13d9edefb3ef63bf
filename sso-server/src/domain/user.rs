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
}

impl User {
    pub fn profile(&self) -> Profile {
        Profile {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
        }
    }
}
