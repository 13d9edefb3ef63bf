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
/// and `/sso/check` answers from one store read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// A stored user profile. `password_hash` is a PHC string (argon2id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub email_normalized: String,
    pub display_name: String,
    pub password_hash: String,
    /// Unix time, seconds.
    pub created: i64,
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
