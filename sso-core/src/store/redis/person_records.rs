//! A browser's sign-ins kept in their person's hash (`sso:x:{<uuid>}`, the
//! same key as the person's index) to and from its fields. Per sign-in
//! `<id>`:
//!
//! | field | value |
//! | --- | --- |
//! | `e:<id>` | `c:<browser hash>:<segment>:<created>:<expires>:<flags>[:<device code>]`: the index entry, and the record's first field |
//! | `r:<id>` | the same, once the index no longer holds it (the session limit took it out) and until the record is ended |
//! | `p:<id>` | the profile copy: `<email>\n<display name>` (neither holds a line break); a sign-in without it is indexed but not yet written |
//! | `v:<id>` | the sites that used it: `<client>=<logout URI index>`, comma-separated |
//! | `u:<id>` | the last use, once it is not the creation |
//! | `d:<id>` | the device label, when it has no two-digit code (`device_code`) |
//!
//! One key per person, few fields and every value short: a sign-in costs
//! its fields, not two keys, and a check parses three fields of it (issue
//! 32's figures 1 and 2; `docs/decisions/performance.md`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::StoreError;
use super::codec::{flags, read_flags};
use crate::domain::{
    BrowserSession, ClientId, Profile, Segment, SegmentSession, SessionId, UserId,
};

/// The arguments that write one sign-in (the save script's, in
/// `person_scripts.rs`): id, entry, profile, last use (empty while it is
/// the creation), visits.
pub(super) fn sign_in_args(browser: &str, segment: &Segment, s: &SegmentSession) -> [String; 5] {
    let visits: Vec<String> = s
        .visits
        .iter()
        .map(|(client, index)| format!("{client}={index}"))
        .collect();
    [
        s.id.to_string(),
        format!(
            "c:{browser}:{segment}:{}:{}:{}",
            s.created,
            s.expires,
            flags(s)
        ),
        format!("{}\n{}", s.user.email, s.user.display_name),
        if s.last_used == s.created {
            String::new()
        } else {
            s.last_used.to_string()
        },
        visits.join(","),
    ]
}

/// The fields that hold browser `browser`'s sign-ins in its person's hash,
/// as the save script writes them from [`sign_in_args`] (no `u:` while the
/// last use is the creation, no `v:` before a visit).
pub fn encode_sign_ins(browser: &str, session: &BrowserSession) -> Vec<(String, String)> {
    let mut fields = Vec::with_capacity(4 * session.segments.len());
    for (segment, s) in &session.segments {
        let [id, entry, profile, used, visits] = sign_in_args(browser, segment, s);
        fields.push((format!("e:{id}"), entry));
        fields.push((format!("p:{id}"), profile));
        if !used.is_empty() {
            fields.push((format!("u:{id}"), used));
        }
        if !visits.is_empty() {
            fields.push((format!("v:{id}"), visits));
        }
    }
    fields
}

/// The sign-ins of browser `browser` among `person`'s hash fields (given as
/// name-value pairs): those whose record is written.
pub fn decode_sign_ins(
    fields: &[(&str, &str)],
    browser: &str,
    person: UserId,
) -> Result<BrowserSession, StoreError> {
    Ok(decode_browsers(fields, |b| b == browser, person)?
        .remove(browser)
        .unwrap_or_default())
}

/// The sign-ins among `person`'s hash fields of the browsers `wanted`
/// accepts, by browser hash, in one pass: a session list reads many
/// browsers of one hash.
pub(super) fn decode_browsers<'f>(
    fields: &[(&'f str, &'f str)],
    wanted: impl Fn(&str) -> bool,
    person: UserId,
) -> Result<HashMap<&'f str, BrowserSession>, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("sign-in field {what}"));
    let mut found: BTreeMap<&str, (&str, Segment, SegmentSession)> = BTreeMap::new();
    for &(field, value) in fields {
        let Some(id) = field
            .strip_prefix("e:")
            .or_else(|| field.strip_prefix("r:"))
        else {
            continue;
        };
        let Some(rest) = value.strip_prefix("c:") else {
            continue;
        };
        let mut parts = rest.split(':');
        let mut next = || parts.next().ok_or_else(|| corrupt(field));
        let browser = next()?;
        if !wanted(browser) {
            continue;
        }
        let segment = Segment::parse(next()?).map_err(|_| corrupt(field))?;
        let created = next()?.parse().map_err(|_| corrupt(field))?;
        let expires = next()?.parse().map_err(|_| corrupt(field))?;
        let (keep_me_logged_in, method) = read_flags(next()?).ok_or_else(|| corrupt(field))?;
        let sign_in = SegmentSession {
            id: SessionId::parse(id).map_err(|_| corrupt(field))?,
            user: Profile {
                id: person,
                email: String::new(),
                display_name: String::new(),
            },
            created,
            expires,
            last_used: created,
            keep_me_logged_in,
            method,
            visits: Default::default(),
        };
        found.insert(id, (browser, segment, sign_in));
    }
    let mut written = BTreeSet::new();
    for &(field, value) in fields {
        let Some((kind, id)) = field.split_once(':') else {
            continue;
        };
        let Some((_, _, s)) = found.get_mut(id) else {
            continue;
        };
        match kind {
            "p" => {
                let (email, name) = value.split_once('\n').ok_or_else(|| corrupt(field))?;
                s.user.email = email.to_owned();
                s.user.display_name = name.to_owned();
                written.insert(id);
            }
            "v" => {
                for visit in value.split(',').filter(|v| !v.is_empty()) {
                    let (client, index) = visit.split_once('=').ok_or_else(|| corrupt(field))?;
                    let client = ClientId::parse(client).map_err(|_| corrupt(field))?;
                    let index = index.parse().map_err(|_| corrupt(field))?;
                    s.visits.insert(client, index);
                }
            }
            "u" => s.last_used = value.parse().map_err(|_| corrupt(field))?,
            _ => {}
        }
    }
    let mut browsers: HashMap<&str, BrowserSession> = HashMap::new();
    for (id, (browser, segment, s)) in found {
        if written.contains(id) {
            browsers
                .entry(browser)
                .or_default()
                .segments
                .insert(segment, s);
        }
    }
    Ok(browsers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AuthMethod;

    fn sign_in(person: UserId) -> SegmentSession {
        let mut s = SegmentSession {
            id: SessionId::generate(),
            user: Profile {
                id: person,
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
        s.visits.insert(ClientId::parse("news").unwrap(), 0);
        s.visits.insert(ClientId::parse("sport").unwrap(), 2);
        s
    }

    /// One sign-in's fields in browser `browser`'s segment `news`.
    fn fields(browser: &str, s: &SegmentSession) -> Vec<(String, String)> {
        let mut session = BrowserSession::default();
        session
            .segments
            .insert(Segment::parse("news").unwrap(), s.clone());
        encode_sign_ins(browser, &session)
    }

    #[test]
    fn a_sign_in_round_trips_and_other_browsers_are_not_read() {
        let person = UserId::new();
        let news = Segment::parse("news").unwrap();
        let s = sign_in(person);
        let args = sign_in_args("browserA", &news, &s);
        assert!(args[1].len() <= 64, "{}", args[1]);
        let mut stored = fields("browserA", &s);
        // Another browser of the same person, and an API entry.
        stored.extend(fields("browserB", &sign_in(person)));
        stored.push(("e:apiapiapiapiapia".into(), "a:x::1:2:0".into()));
        let pairs: Vec<(&str, &str)> = stored.iter().map(|(f, v)| (&f[..], &v[..])).collect();
        let read = decode_sign_ins(&pairs, "browserA", person).unwrap();
        assert_eq!(read.segments.len(), 1);
        assert_eq!(read.segments[&news], s);
    }

    #[test]
    fn an_indexed_sign_in_without_its_record_is_not_a_session_yet() {
        let person = UserId::new();
        let s = sign_in(person);
        let mut stored = fields("h", &s);
        let pairs: Vec<(&str, &str)> = stored[..1].iter().map(|(f, v)| (&f[..], &v[..])).collect();
        assert!(pairs[0].0.starts_with("e:"));
        assert!(decode_sign_ins(&pairs, "h", person).unwrap().is_empty());
        // Taken out of the index (`r:`), a written record still reads.
        stored[0].0 = format!("r:{}", s.id);
        let pairs: Vec<(&str, &str)> = stored.iter().map(|(f, v)| (&f[..], &v[..])).collect();
        assert_eq!(
            decode_sign_ins(&pairs, "h", person).unwrap().segments.len(),
            1
        );
    }

    #[test]
    fn corrupt_fields_are_reported_not_panicked_on() {
        let person = UserId::new();
        for (f, v) in [
            ("e:gp_WR2kv0vHLos5r", "c:h:news:x:2:0"),
            ("e:gp_WR2kv0vHLos5r", "c:h:news:1:2:7"),
            ("e:gp_WR2kv0vHLos5r", "c:h:"),
            ("e:bad id", "c:h:news:1:2:0"),
        ] {
            let r = decode_sign_ins(&[(f, v)], "h", person);
            assert!(matches!(r, Err(StoreError::Corrupt(_))), "{f} {v}");
        }
        for (f, v) in [
            ("v:gp_WR2kv0vHLos5r", "news"),
            ("v:gp_WR2kv0vHLos5r", "news=x"),
            ("v:gp_WR2kv0vHLos5r", "n ws=0"),
            ("p:gp_WR2kv0vHLos5r", "no line break"),
        ] {
            let pairs = [("e:gp_WR2kv0vHLos5r", "c:h:news:1:2:0"), (f, v)];
            assert!(decode_sign_ins(&pairs, "h", person).is_err(), "{f} {v}");
        }
    }
}
