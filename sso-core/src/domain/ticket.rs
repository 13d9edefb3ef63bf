//! One-use tickets a person receives by mail: the link that verifies an
//! email address and the one that resets a password.

use serde::{Deserialize, Serialize};

use super::UserId;

/// What a ticket is for; each kind lives in its own key space, so a
/// verification link can never reset a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketKind {
    EmailVerification,
    PasswordReset,
}

impl TicketKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::EmailVerification => "email_verification",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// What a ticket stands for: a person and the address it was mailed to
/// (a ticket for an address the account no longer has does nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub user: UserId,
    pub email_normalized: String,
    /// Unix seconds: when the store drops it (kept so a ticket taken for a
    /// refused password can be put back for the rest of its life).
    pub expires: i64,
}
