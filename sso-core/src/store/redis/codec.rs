//! Records to and from Redis values: JSON records, the session hash's
//! fields, and the flat replies of `HGETALL` and the scripts.

use std::time::Duration;

use uuid::Uuid;

use super::StoreError;
use crate::domain::{
    AuthMethod, BrowserSession, ClientId, Profile, Segment, SegmentSession, SessionId, UserId,
};

pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    raw: Option<String>,
) -> Result<Option<T>, StoreError> {
    raw.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising these plain records cannot fail.
    serde_json::to_string(value).expect("record serialises")
}

pub(super) fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// One digit for two facts of a sign-in: bit 0 "keep me signed in", bit 1
/// a passkey (older records hold 0 or 1: a password).
pub(super) fn flags(s: &SegmentSession) -> u8 {
    u8::from(s.keep_me_logged_in) | (u8::from(s.method == AuthMethod::Passkey) << 1)
}

/// The two facts of a [`flags`] digit: "keep me signed in" and the method;
/// `None` for anything but such a digit.
pub(super) fn read_flags(digit: &str) -> Option<(bool, AuthMethod)> {
    let flags: u8 = match digit {
        "0" | "1" | "2" | "3" => digit.parse().ok()?,
        _ => return None,
    };
    let method = if flags & 2 == 2 {
        AuthMethod::Passkey
    } else {
        AuthMethod::Password
    };
    Some((flags & 1 == 1, method))
}

/// The person's uuid in a sign-in's field: base64url, 22 characters, so
/// that the field stays within the 64 bytes under which Redis keeps a small
/// hash in its compact listpack encoding (with the hex form it was 73, and
/// every session hash was a hashtable).
fn encode_user(user: UserId) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user.0.as_bytes())
}

/// The base64url form, or the 32 hex digits of records written before it.
fn decode_user(text: &str) -> Option<Uuid> {
    use base64::Engine;
    if text.len() == 22 {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        return Uuid::from_slice(&bytes).ok();
    }
    Uuid::parse_str(text).ok()
}

pub fn encode_session(session: &BrowserSession) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (segment, s) in &session.segments {
        fields.push((
            format!("s:{segment}"),
            format!(
                "{}:{}:{}:{}:{}",
                encode_user(s.user.id),
                s.created,
                s.expires,
                flags(s),
                s.id,
            ),
        ));
        if s.last_used != s.created {
            fields.push((format!("u:{segment}"), s.last_used.to_string()));
        }
        fields.push((format!("e:{segment}"), s.user.email.clone()));
        fields.push((format!("n:{segment}"), s.user.display_name.clone()));
        for (client, index) in &s.visits {
            fields.push((format!("v:{segment}:{client}"), index.to_string()));
        }
    }
    fields
}

/// The session from its hash fields, given as name-value pairs.
pub fn decode_session<'a>(fields: &[(&'a str, &'a str)]) -> Result<BrowserSession, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("session field {what}"));
    let segment = |name: &str, field: &str| Segment::parse(name).map_err(|_| corrupt(field));
    let mut session = BrowserSession::default();
    // The segments first; then the fields that belong to one. A field whose
    // segment is gone (a concurrent end) is dropped.
    for &(field, value) in fields {
        let Some(name) = field.strip_prefix("s:") else {
            continue;
        };
        let mut parts = value.split(':');
        let mut next = || parts.next().ok_or_else(|| corrupt(field));
        let user = decode_user(next()?).ok_or_else(|| corrupt(field))?;
        let created = next()?.parse().map_err(|_| corrupt(field))?;
        let expires = next()?.parse().map_err(|_| corrupt(field))?;
        let (keep_me_logged_in, method) = read_flags(next()?).ok_or_else(|| corrupt(field))?;
        let segment = segment(name, field)?;
        // Sign-ins stored before they had an id get one derived from the record.
        let id = match parts.next() {
            Some(id) => SessionId::parse(id).map_err(|_| corrupt(field))?,
            None => SessionId::legacy(&user.simple().to_string(), created, &segment),
        };
        session.segments.insert(
            segment,
            SegmentSession {
                id,
                user: Profile {
                    id: UserId(user),
                    email: String::new(),
                    display_name: String::new(),
                },
                created,
                expires,
                last_used: created,
                keep_me_logged_in,
                method,
                visits: Default::default(),
            },
        );
    }
    for &(field, value) in fields {
        let (kind, name) = field.split_once(':').ok_or_else(|| corrupt(field))?;
        let (name, visit) = match kind {
            "s" => continue,
            "v" => {
                let (name, client) = name.split_once(':').ok_or_else(|| corrupt(field))?;
                let client = ClientId::parse(client).map_err(|_| corrupt(field))?;
                let index: u8 = value.parse().map_err(|_| corrupt(field))?;
                (name, Some((client, index)))
            }
            "e" | "n" | "u" => (name, None),
            _ => return Err(corrupt(field)),
        };
        let Some(s) = session.segments.get_mut(&segment(name, field)?) else {
            continue;
        };
        match (kind, visit) {
            (_, Some((client, index))) => {
                s.visits.insert(client, index);
            }
            ("e", None) => s.user.email = value.to_owned(),
            ("u", None) => s.last_used = value.parse().map_err(|_| corrupt(field))?,
            _ => s.user.display_name = value.to_owned(),
        }
    }
    Ok(session)
}

/// Name-value pairs of a flat reply (`HGETALL`, or the removal script's),
/// borrowed from it: a session is read on every check.
pub(super) fn field_pairs(items: &[redis::Value]) -> Result<Vec<(&str, &str)>, StoreError> {
    fn text(v: &redis::Value) -> Option<&str> {
        match v {
            redis::Value::BulkString(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }
    items
        .chunks(2)
        .map(|pair| match pair {
            [f, v] => text(f).zip(text(v)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| StoreError::Corrupt("session reply".to_owned()))
}

/// The items of an array reply (a hash of fields under RESP3 counts too).
pub(super) fn reply_items(reply: redis::Value) -> Result<Vec<redis::Value>, StoreError> {
    match reply {
        redis::Value::Array(items) => Ok(items),
        redis::Value::Map(pairs) => Ok(pairs.into_iter().flat_map(|(f, v)| [f, v]).collect()),
        _ => Err(StoreError::Corrupt("session reply".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_encoding_round_trips() {
        let mut session = BrowserSession::default();
        let mut seg = SegmentSession {
            id: SessionId::generate(),
            user: Profile {
                id: UserId::new(),
                email: "a:b@example.com".into(),
                display_name: "Ä: \"quoted\"".into(),
            },
            created: 1_700_000_000,
            expires: 1_700_043_200,
            last_used: 1_700_000_600,
            keep_me_logged_in: true,
            method: AuthMethod::Passkey,
            visits: Default::default(),
        };
        seg.visits.insert(ClientId::parse("news").unwrap(), 0);
        seg.visits.insert(ClientId::parse("sport").unwrap(), 2);
        session
            .segments
            .insert(Segment::parse("news").unwrap(), seg);
        let fields = encode_session(&session);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(f, v)| (&f[..], &v[..])).collect();
        let decoded = decode_session(&pairs).unwrap();
        assert_eq!(decoded, session);
    }

    /// A sign-in stored before sign-ins had ids gets one derived from its
    /// record: the same at every read, so its index entry and `sid` hold.
    #[test]
    fn sign_ins_stored_without_an_id_get_a_stable_one() {
        let old = [(
            "s:news",
            "0f0e0d0c0b0a09080706050403020100:1700000000:1700043200:0",
        )];
        let first = decode_session(&old).unwrap();
        let second = decode_session(&old).unwrap();
        let news = Segment::parse("news").unwrap();
        assert_eq!(first.segments[&news].id, second.segments[&news].id);
        // Written back, it keeps that id.
        let fields = encode_session(&first);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(f, v)| (&f[..], &v[..])).collect();
        assert_eq!(decode_session(&pairs).unwrap(), first);
        // Its flag digit predates passkeys: a password sign-in.
        assert_eq!(first.segments[&news].method, AuthMethod::Password);
        assert!(!first.segments[&news].keep_me_logged_in);
    }

    /// Redis keeps a small hash compact (listpack) only while every value
    /// is at most 64 bytes; a sign-in's field must fit, and the hex form of
    /// older records still reads as the same person.
    #[test]
    fn a_sign_in_field_fits_in_64_bytes_and_older_ones_still_read() {
        let mut session = BrowserSession::default();
        let user = UserId::new();
        let segment = Segment::parse("news").unwrap();
        let sign_in = SegmentSession {
            id: SessionId::generate(),
            user: Profile {
                id: user,
                email: String::new(),
                display_name: String::new(),
            },
            created: 9_999_999_999,
            expires: 9_999_999_999,
            last_used: 9_999_999_999,
            keep_me_logged_in: true,
            method: AuthMethod::Passkey,
            visits: Default::default(),
        };
        session.segments.insert(segment.clone(), sign_in.clone());
        let fields = encode_session(&session);
        let (_, value) = fields.iter().find(|(f, _)| f == "s:news").unwrap();
        assert!(value.len() <= 64, "{value}: {} bytes", value.len());

        let old = format!("{}:9999999999:9999999999:3:{}", user.0.simple(), sign_in.id);
        let decoded = decode_session(&[("s:news", &old)]).unwrap();
        assert_eq!(decoded.segments[&segment].user.id, user);
        assert_eq!(decoded.segments[&segment].id, sign_in.id);
    }

    #[test]
    fn corrupt_fields_are_reported_not_panicked_on() {
        let bad = [("s:news", "zzz")];
        assert!(matches!(decode_session(&bad), Err(StoreError::Corrupt(_))));
        // 22 characters that are not base64url of 16 bytes.
        let bad = [("s:news", "!!!!!!!!!!!!!!!!!!!!!!:1:2:0")];
        assert!(matches!(decode_session(&bad), Err(StoreError::Corrupt(_))));
        let flags = [("s:news", "0f0e0d0c0b0a09080706050403020100:1:2:4")];
        assert!(matches!(
            decode_session(&flags),
            Err(StoreError::Corrupt(_))
        ));
        assert!(decode_session(&[("x", "1")]).is_err());
    }
}
