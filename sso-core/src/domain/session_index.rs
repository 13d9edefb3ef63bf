//! A user's sessions, indexed: every browser sign-in (one segment of one
//! browser session) and every application-API session of a user is reachable
//! from the user, so that a person, an application or a session limit can
//! end them without the browser that holds them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Segment;
use crate::domain::SecretHash;

/// The record an index entry points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k")]
pub enum SessionTarget {
    /// One segment of a browser session (the cookie's hash).
    #[serde(rename = "b")]
    Browser { sid: SecretHash, segment: Segment },
    /// An application-API session (its bearer secret's hash).
    #[serde(rename = "a")]
    Api { sid: SecretHash },
}

impl SessionTarget {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Browser { .. } => "browser",
            Self::Api { .. } => "api",
        }
    }
}

/// A session's public id: 16 base64url characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

impl SessionId {
    /// A new browser sign-in's id: random, stored with the sign-in, and kept
    /// when the session moves to a new cookie value, so that it names the
    /// sign-in (the `sid` of ID tokens and logout tokens) for its whole life.
    pub fn generate() -> Self {
        let bytes: [u8; 12] = rand::random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// An API session's id: a one-way digest of its key's hash (its record
    /// has no room of its own for one).
    pub fn of_api(sid: &SecretHash) -> Self {
        Self::digest(&[b"api", sid.as_str().as_bytes()])
    }

    /// The id of a sign-in stored before sign-ins had one: derived from what
    /// the record holds, so it is the same at every read.
    pub fn legacy(user: &str, created: i64, segment: &Segment) -> Self {
        Self::digest(&[
            b"legacy",
            user.as_bytes(),
            created.to_string().as_bytes(),
            segment.as_str().as_bytes(),
        ])
    }

    fn digest(parts: &[&[u8]]) -> Self {
        let mut digest = Sha256::new();
        for part in parts {
            digest.update(part);
            digest.update(b"\0");
        }
        Self(URL_SAFE_NO_PAD.encode(&digest.finalize()[..12]))
    }

    pub fn parse(raw: &str) -> Result<Self, super::FieldError> {
        if raw.len() != 16 || URL_SAFE_NO_PAD.decode(raw).is_err() {
            return Err(super::FieldError::Malformed(
                "a session id (16 base64url characters)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One session in its user's index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    #[serde(rename = "i")]
    pub id: SessionId,
    #[serde(flatten)]
    pub target: SessionTarget,
    /// Unix seconds.
    #[serde(rename = "c")]
    pub created: i64,
    /// Unix seconds; refreshed at most once a minute (see `TOUCH_EVERY_SECS`).
    #[serde(rename = "u")]
    pub last_used: i64,
    /// Unix seconds; the entry disappears with its record.
    #[serde(rename = "x")]
    pub expires: i64,
    #[serde(rename = "m", default)]
    pub keep_me_logged_in: bool,
    /// A coarse label: browser and system from the User-Agent, or the
    /// application that made an API session.
    #[serde(rename = "d")]
    pub device: String,
}

impl IndexEntry {
    pub fn id(&self) -> SessionId {
        self.id.clone()
    }
}

/// How stale a session's "last used" may get before a check refreshes it:
/// eviction needs an order, not a clock, and a write per page load would
/// cost the hottest endpoint a store write.
pub const TOUCH_EVERY_SECS: i64 = 60;

/// A coarse, human label for a User-Agent: "Firefox on Linux". Browsers
/// freeze and reduce their User-Agent, so nothing finer is reliable; an
/// unknown one is "a browser".
pub fn device_label(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("");
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    let browser = BROWSERS
        .into_iter()
        .skip(1)
        .find(|(token, _)| ua.contains(token))
        .map_or(BROWSERS[0].1, |(_, name)| name);
    let system = SYSTEMS
        .into_iter()
        .skip(1)
        .find(|(token, _)| ua.contains(token))
        .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

/// User-Agent token and name of each browser [`device_label`] knows; the
/// first is the name of any other.
const BROWSERS: [(&str, &str); 7] = [
    ("", "a browser"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
];
/// The same for systems; the first stands for none.
const SYSTEMS: [(&str, &str); 8] = [
    ("", ""),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
];

/// A label [`device_label`] makes, in two digits (browser, system), for a
/// store that keeps it inside a short field; `None` for any other label.
pub fn device_code(label: &str) -> Option<String> {
    let (browser, system) = label.split_once(" on ").unwrap_or((label, ""));
    let b = BROWSERS.iter().position(|(_, name)| *name == browser)?;
    let s = SYSTEMS.iter().position(|(_, name)| *name == system)?;
    Some(format!("{b}{s}"))
}

/// The label of a [`device_code`].
pub fn device_from_code(code: &str) -> Option<String> {
    let digit = |i: usize| {
        code.as_bytes()
            .get(i)
            .map(|d| usize::from(d.wrapping_sub(b'0')))
    };
    if code.len() != 2 {
        return None;
    }
    let browser = BROWSERS.get(digit(0)?)?.1;
    match SYSTEMS.get(digit(1)?)?.1 {
        "" => Some(browser.to_owned()),
        system => Some(format!("{browser} on {system}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_label_has_a_two_digit_code() {
        for (b, _) in BROWSERS {
            for (s, _) in SYSTEMS {
                let label = device_label(Some(&format!("{s} {b}")));
                let code = device_code(&label).unwrap();
                assert_eq!(code.len(), 2);
                assert_eq!(device_from_code(&code).as_deref(), Some(&label[..]));
            }
        }
        assert_eq!(device_code("application portal"), None);
        assert_eq!(device_code("Firefox on Plan 9"), None);
        for bad in ["", "9", "79", "08", "x0", "000"] {
            assert_eq!(device_from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_are_random_or_derived_and_parse_back() {
        let a = SessionId::generate();
        assert_ne!(a, SessionId::generate());
        assert_eq!(SessionId::parse(a.as_str()).unwrap(), a);
        let sid = SecretHash::from_stored("abc".into());
        assert_eq!(SessionId::of_api(&sid), SessionId::of_api(&sid));
        let news = Segment::parse("news").unwrap();
        let legacy = SessionId::legacy("u", 1, &news);
        assert_eq!(legacy, SessionId::legacy("u", 1, &news));
        assert_ne!(legacy, SessionId::legacy("u", 2, &news));
        assert_eq!(SessionId::parse(legacy.as_str()).unwrap(), legacy);
        assert!(SessionId::parse("short").is_err());
        assert!(SessionId::parse("!!!!!!!!!!!!!!!!").is_err());
    }

    #[test]
    fn entries_round_trip_compactly() {
        let entry = IndexEntry {
            id: SessionId::generate(),
            target: SessionTarget::Browser {
                sid: SecretHash::from_stored("abcdefghijklmnopqrstuv".into()),
                segment: Segment::parse("news").unwrap(),
            },
            created: 1_764_680_000,
            last_used: 1_764_680_000,
            expires: 1_764_720_000,
            keep_me_logged_in: true,
            device: "Firefox on Linux".into(),
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert_eq!(serde_json::from_str::<IndexEntry>(&json).unwrap(), entry);
        assert!(json.len() < 160, "{} bytes: {json}", json.len());
    }

    #[test]
    fn device_labels_are_coarse() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(device_label(Some(chrome)), "Chrome on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(Some(safari)), "Safari on iPhone");
        assert_eq!(device_label(None), "a browser");
        assert_eq!(device_label(Some("curl/8")), "a browser");
    }
}
