//! The Redis keys, by what they hold (the layout is in the module's docs).
//! Text from requests appears only as its digest ([`tag`]).

use crate::domain::SecretHash;
use crate::domain::{CodeKind, ServiceId, TicketKind, UserId};

pub(super) fn key_user(id: UserId) -> String {
    format!("sso:u:{{{}}}", id.0.simple())
}
/// A hash tag for text that comes from a request (an email, a username, a
/// rate-limit key): a digest, so no input can pick its cluster slot or carry
/// `{`/`}` into the key.
pub(super) fn tag(raw: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(raw.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Beside the user's record (same slot): read with it in one `MGET`.
pub(super) fn key_revoked_tokens(id: UserId) -> String {
    format!("sso:t:{{{}}}", id.0.simple())
}
pub(super) fn key_email(normalized: &str) -> String {
    format!("sso:e:{{{}}}", tag(normalized))
}
pub(super) fn key_api_email(normalized: &str) -> String {
    format!("sso:ae:{{{}}}", tag(normalized))
}
pub(super) fn key_code(kind: CodeKind, code: &SecretHash) -> String {
    let tag = match kind {
        CodeKind::SsoCode => 'c',
        CodeKind::AuthorizationCode => 'a',
        CodeKind::PendingSignIn => 'q',
    };
    format!("sso:{tag}:{{{}}}", code.as_str())
}
pub(super) fn key_ticket(kind: TicketKind, hash: &SecretHash) -> String {
    let tag = match kind {
        TicketKind::EmailVerification => 'v',
        TicketKind::PasswordReset => 'w',
    };
    format!("sso:{tag}:{{{}}}", hash.as_str())
}
/// A passkey ceremony in progress, under the hash of its id.
pub(super) fn key_ceremony(hash: &SecretHash) -> String {
    format!("sso:wa:{{{}}}", hash.as_str())
}
/// The key of a browser session of the older form (a sid that names no
/// people), stored under its cookie's hash.
pub(super) fn key_session(sid: &SecretHash) -> String {
    format!("sso:s:{{{}}}", sid.as_str())
}
/// Where a browser session's sign-ins live: for a sid that names people,
/// the first one's hash; for one of the older form, its own (public for
/// tests that find the cluster node holding a session).
pub fn key_browser_session(sid: &SecretHash) -> String {
    match sid.people().first() {
        Some(person) => key_index(*person),
        None => key_session(sid),
    }
}
pub(super) fn key_counter(key: &str) -> String {
    format!("sso:r:{{{}}}", tag(key))
}
pub(super) fn key_username(name: &str) -> String {
    format!("sso:n:{{{}}}", tag(name))
}
/// Prefix of the token → user keys of a service.
pub(super) fn key_token_prefix(service: &ServiceId) -> String {
    format!("sso:k:{{{service}}}:")
}
pub(super) fn key_token(service: &ServiceId, token: &SecretHash) -> String {
    format!("{}{}", key_token_prefix(service), token.as_str())
}
pub(super) fn key_user_token(service: &ServiceId, user: UserId) -> String {
    format!("sso:l:{{{service}}}:{}", user.0.simple())
}
pub(super) fn key_api_session(sid: &SecretHash) -> String {
    format!("sso:p:{{{}}}", sid.as_str())
}
pub(super) fn key_index(user: UserId) -> String {
    format!("sso:x:{{{}}}", user.0.simple())
}
/// A sign-out's hash: per client its delivery state, and per person whose
/// sign-in it ended a field `u:<uuid>` (client ids have no `:`).
pub(super) const SIGNOUT_USER: &str = "u:";
pub(super) fn key_deliveries(signout: &str) -> String {
    format!("sso:bs:{{{}}}", tag(signout))
}
