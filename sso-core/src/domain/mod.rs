//! Domain types that parse at the edge: once a value of one of these types
//! exists it is valid, so handlers and the store never re-check it.

mod api;
mod authorization;
mod client_id;
mod field_error;
mod grant;
mod logout;
mod machine_secret_hash;
mod passkey;
mod pkce;
mod refresh;
mod secret;
mod session;
mod session_cookie;
mod session_index;
mod state;
mod ticket;
mod user;
mod user_input;

pub use api::{ApiSession, RoleToken, ServiceId, Username};
pub use authorization::{Prompt, ResponseMode, Scope, ScopeError, parse_max_age};
pub use client_id::{ClientId, Segment, SegmentList};
pub use field_error::FieldError;
pub use grant::{AuthMethod, CodeKind, Grant, PENDING_SIGN_IN_SECS, ResponseMethod, ResponseType};
pub use logout::{ClaimedLogouts, DeliveryState, LogoutJob, LogoutLease, SignoutStates};
pub use machine_secret_hash::{MachineSecretHash, is_argon2id_phc};
pub use passkey::{
    Ceremony, CeremonyKind, MAX_PASSKEYS, PasskeyName, StoredPasskey, parse_passkey_id,
};
pub use pkce::{CodeChallenge, CodeVerifier, Nonce};
pub use refresh::{
    RefreshFamily, RefreshRecord, Rotation, parse_refresh_token, refresh_token_text,
};
pub use secret::{Secret, SecretHash};
pub use session::{BrowserSession, SegmentSession, SessionBinding};
pub use session_cookie::{MAX_PEOPLE, SessionCookie, decode_person, encode_person};
pub use session_index::{
    IndexEntry, SessionId, SessionTarget, TOUCH_EVERY_SECS, device_code, device_from_code,
    device_label,
};
pub use state::State;
pub use ticket::{Ticket, TicketKind};
pub use user::{Profile, User, UserId};
pub use user_input::{DisplayName, Email, Password};

/// Checks the length and characters shared by identifier-like values.
pub fn parse_token(
    raw: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
    what: &'static str,
) -> Result<String, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::Empty);
    }
    if raw.chars().count() > max {
        return Err(FieldError::TooLong(max));
    }
    if !raw.chars().all(allowed) {
        return Err(FieldError::Malformed(what));
    }
    Ok(raw.to_owned())
}
