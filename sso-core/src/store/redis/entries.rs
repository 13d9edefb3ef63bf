//! A person's session index entries to and from the index hash's fields
//! (the layout is in the module's docs).

use super::StoreError;
use crate::domain::{IndexEntry, SecretHash, Segment, SessionId, SessionTarget};

/// An index entry as `e:<id>` holds it:
/// `<kind>:<sid>:<segment>:<created>:<expires>:<keep 0|1>` (kind `b` for a
/// browser sign-in, `a` for an API session, whose segment is empty). At
/// most 64 bytes for segment names of up to 15 characters, so that the
/// index stays a compact listpack in Redis (longer names cost memory, not
/// correctness); the last use is in `u:<id>` and the device label in
/// `d:<id>`. Entries written before this form are JSON, and still read.
pub(super) fn encode_entry(entry: &IndexEntry) -> String {
    let (kind, sid, segment) = match &entry.target {
        SessionTarget::Browser { sid, segment } => ("b", sid.as_str(), segment.as_str()),
        SessionTarget::Api { sid } => ("a", sid.as_str(), ""),
    };
    format!(
        "{kind}:{sid}:{segment}:{}:{}:{}",
        entry.created,
        entry.expires,
        u8::from(entry.keep_me_logged_in)
    )
}

/// An entry from its id, its stored text (either form), and its `u:` and
/// `d:` fields when they were read.
pub(super) fn decode_entry(
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
    let keep_me_logged_in = match next()? {
        "0" => false,
        "1" => true,
        _ => return Err(corrupt()),
    };
    let sid = SecretHash::from_stored(sid.to_owned());
    let target = match kind {
        "b" => SessionTarget::Browser {
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
        device: device.to_owned(),
    })
}

/// An entry the index scripts took out, as they return it:
/// `<id>\n<text>\n<last use>\n<device>` (the last two may be empty).
pub(super) fn decode_taken(taken: &str) -> Result<IndexEntry, StoreError> {
    let mut parts = taken.splitn(4, '\n');
    let (Some(id), Some(text), Some(used), Some(device)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StoreError::Corrupt("session index reply".to_owned()));
    };
    decode_entry(id, text, used.parse().ok(), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Secret;

    /// Index entries fit in 64 bytes (the listpack limit) whatever their
    /// kind, with a 15-character segment, come back whole, and entries
    /// written as JSON still read.
    #[test]
    fn index_entries_are_compact_and_json_ones_still_read() {
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
        for entry in [browser, api] {
            let text = encode_entry(&entry);
            assert!(text.len() <= 64, "{text}: {} bytes", text.len());
            let taken = format!(
                "{}\n{text}\n{}\n{}",
                entry.id, entry.last_used, entry.device
            );
            assert_eq!(decode_taken(&taken).unwrap(), entry);
            let json = serde_json::to_string(&entry).unwrap();
            assert_eq!(
                decode_entry(entry.id.as_str(), &json, None, "").unwrap(),
                entry
            );
        }
        assert!(decode_taken("no newline").is_err());
        assert!(decode_entry("gp_WR2kv0vHLos5r", "x:a:b:1:2:0", None, "").is_err());
    }
}
