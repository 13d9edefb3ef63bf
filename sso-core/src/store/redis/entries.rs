//! A person's session index entries to and from the index hash's fields
//! (the layout is in the module's docs).

use super::StoreError;
use crate::domain::{
    IndexEntry, SecretHash, Segment, SessionId, SessionTarget, UserId, device_code,
    device_from_code, encode_person,
};

/// An index entry as `e:<id>` holds it:
/// `<kind>:<sid>:<segment>:<created>:<expires>:<keep 0|1>` (kind `b` for a
/// browser sign-in whose record is a hash of its own, `a` for an API
/// session, whose segment is empty). A browser sign-in whose sid names its
/// person is kept in that person's hash, and its entry is its record's
/// first field: kind `c`, with the browser's hash alone for the sid (the
/// person is the hash's), the sign-in's flags digit (`person_records.rs`)
/// and its device's code. At most 64 bytes for segment names of up to 15
/// characters (12 for kind `c`), so that the
/// index stays a compact listpack in Redis (longer names cost memory, not
/// correctness); the last use is in `u:<id>` and the device label in
/// `d:<id>`. Entries written before this form are JSON, and still read.
pub(super) fn encode_entry(entry: &IndexEntry) -> String {
    let (kind, sid, segment) = match &entry.target {
        SessionTarget::Browser { sid, segment } if !sid.names_people() => {
            ("b", sid.as_str(), segment.as_str())
        }
        SessionTarget::Browser { sid, segment } => ("c", sid.browser_hash(), segment.as_str()),
        SessionTarget::Api { sid } => ("a", sid.as_str(), ""),
    };
    let mut text = format!(
        "{kind}:{sid}:{segment}:{}:{}:{}",
        entry.created,
        entry.expires,
        u8::from(entry.keep_me_logged_in)
    );
    if let Some(code) = device_in_entry(entry) {
        text.push(':');
        text.push_str(&code);
    }
    text
}

/// A `c` entry holds its device label as two digits ([`device_code`])
/// when it is one the server makes, which spares the sign-in its `d:`
/// field.
pub(super) fn device_in_entry(entry: &IndexEntry) -> Option<String> {
    match &entry.target {
        SessionTarget::Browser { sid, .. } if sid.names_people() => device_code(&entry.device),
        _ => None,
    }
}

/// An entry of `user`'s index from its id, its stored text (either form),
/// and its `u:` and `d:` fields when they were read.
pub(super) fn decode_entry(
    user: UserId,
    id: &str,
    text: &str,
    last_used: Option<i64>,
    device: &str,
) -> Result<IndexEntry, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("session index entry {id}"));
    if text.starts_with('{') {
        let mut entry: IndexEntry = serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("session index entry: {e}")))?;
        entry.last_used = last_used.unwrap_or(entry.last_used);
        return Ok(entry);
    }
    let mut parts = text.split(':');
    let mut next = || parts.next().ok_or_else(corrupt);
    let (kind, sid, segment) = (next()?, next()?, next()?);
    let created: i64 = next()?.parse().map_err(|_| corrupt())?;
    let expires: i64 = next()?.parse().map_err(|_| corrupt())?;
    // A `c` entry's digit holds the sign-in's flags: bit 0 is the keep.
    let keep_me_logged_in = match (kind, next()?) {
        (_, "0") | ("c", "2") => false,
        (_, "1") | ("c", "3") => true,
        _ => return Err(corrupt()),
    };
    // A `c` entry may end with its device's code (then it has no `d:`).
    let device = match (kind, parts.next()) {
        ("c", Some(code)) => device_from_code(code).ok_or_else(corrupt)?,
        (_, None) => device.to_owned(),
        _ => return Err(corrupt()),
    };
    let sid = match kind {
        "c" => SecretHash::from_stored(format!("{sid}.{}", encode_person(user))),
        _ => SecretHash::from_stored(sid.to_owned()),
    };
    let target = match kind {
        "b" | "c" => SessionTarget::Browser {
            sid,
            segment: Segment::parse(segment).map_err(|_| corrupt())?,
        },
        "a" => SessionTarget::Api { sid },
        _ => return Err(corrupt()),
    };
    Ok(IndexEntry {
        id: SessionId::parse(id).map_err(|_| corrupt())?,
        target,
        created,
        last_used: last_used.unwrap_or(created),
        expires,
        keep_me_logged_in,
        device,
    })
}

/// An entry the index scripts took out, as they return it:
/// `<id>\n<text>\n<last use>\n<device>` (the last two may be empty).
pub(super) fn decode_taken(user: UserId, taken: &str) -> Result<IndexEntry, StoreError> {
    let mut parts = taken.splitn(4, '\n');
    let (Some(id), Some(text), Some(used), Some(device)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StoreError::Corrupt("session index reply".to_owned()));
    };
    decode_entry(user, id, text, used.parse().ok(), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Secret, SessionCookie};

    /// Index entries fit in 64 bytes (the listpack limit) whatever their
    /// kind, with a 15-character segment (12 for a sign-in kept in its
    /// person's hash, which holds its device too), come back whole, and
    /// entries written as JSON still read.
    #[test]
    fn index_entries_are_compact_and_json_ones_still_read() {
        let user = UserId::new();
        let sid = Secret::generate().hash();
        let browser = IndexEntry {
            id: SessionId::generate(),
            target: SessionTarget::Browser {
                sid: sid.clone(),
                segment: Segment::parse("fifteen_letters").unwrap(),
            },
            created: 9_999_999_999,
            last_used: 9_999_999_999,
            expires: 9_999_999_999,
            keep_me_logged_in: true,
            device: "Firefox on Linux".into(),
        };
        let api = IndexEntry {
            target: SessionTarget::Api { sid },
            keep_me_logged_in: false,
            ..browser.clone()
        };
        // A sign-in kept in its person's hash: the sid's person is the index's.
        let cookie = SessionCookie::new(Secret::generate(), [UserId::new(), user]);
        let kept = IndexEntry {
            target: SessionTarget::Browser {
                sid: cookie.sid().for_person(user),
                segment: Segment::parse("twelve_chars").unwrap(),
            },
            ..browser.clone()
        };
        let text = encode_entry(&kept);
        assert!(text.starts_with("c:") && text.ends_with(":37"), "{text}");
        for entry in [browser, api, kept] {
            let text = encode_entry(&entry);
            assert!(text.len() <= 64, "{text}: {} bytes", text.len());
            let taken = format!(
                "{}\n{text}\n{}\n{}",
                entry.id, entry.last_used, entry.device
            );
            assert_eq!(decode_taken(user, &taken).unwrap(), entry);
            let json = serde_json::to_string(&entry).unwrap();
            assert_eq!(
                decode_entry(user, entry.id.as_str(), &json, None, "").unwrap(),
                entry
            );
        }
        assert!(decode_taken(user, "no newline").is_err());
        let id = "gp_WR2kv0vHLos5r";
        assert!(decode_entry(user, id, "x:a:b:1:2:0", None, "").is_err());
        // Only a `c` entry's digit holds more than the keep.
        assert!(decode_entry(user, id, "b:a:b:1:2:3", None, "").is_err());
        assert!(
            decode_entry(user, id, "c:a:b:1:2:3", None, "")
                .unwrap()
                .keep_me_logged_in
        );
        assert!(decode_entry(user, id, "c:a:b:1:2:3:99", None, "").is_err());
        assert!(decode_entry(user, id, "b:a:b:1:2:1:37", None, "").is_err());
    }
}
