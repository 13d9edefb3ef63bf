//! The SSO session cookie's value: the browser's secret, and the people
//! signed in in that browser (`<secret>.<person>[.<person>…]`, each person
//! as 22 base64url characters of their uuid).
//!
//! The people let a store keep a browser's sign-ins in each person's own
//! record, found from the cookie alone: one Redis key per person instead of
//! one per browser beside one per person. Naming a person grants nothing:
//! a sign-in is found by the secret's hash inside that person's record, so
//! a cookie naming someone else finds nothing there. Values written before
//! the people were added (a bare secret) still read, as a session kept
//! apart from any person.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::{FieldError, Secret, SecretHash, UserId};

/// At most this many people in one browser: one per segment, and a family
/// has few segments. A longer value is not one of ours.
pub const MAX_PEOPLE: usize = 8;

/// The separator between the secret, the people and, in a sid, the hash.
/// Not in base64url, so no part can contain it.
const SEP: char = '.';

/// A session cookie's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookie {
    secret: Secret,
    people: Vec<UserId>,
}

impl SessionCookie {
    /// A new value for the browser's sign-ins of `people` (repeats are
    /// dropped, the order kept; beyond [`MAX_PEOPLE`] the first are kept).
    pub fn new(secret: Secret, people: impl IntoIterator<Item = UserId>) -> Self {
        let mut kept: Vec<UserId> = Vec::new();
        for person in people {
            if !kept.contains(&person) && kept.len() < MAX_PEOPLE {
                kept.push(person);
            }
        }
        Self {
            secret,
            people: kept,
        }
    }

    /// A value a browser presented; anything not shaped like one of ours is
    /// refused before it is hashed or looked up.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut parts = raw.split(SEP);
        let secret = Secret::parse(parts.next().unwrap_or_default())?;
        let mut people = Vec::new();
        let foreign = FieldError::Malformed("a value issued by this server");
        for part in parts {
            if people.len() == MAX_PEOPLE {
                return Err(foreign);
            }
            let person = decode_person(part).ok_or(foreign.clone())?;
            // `new` never names a person twice: a repeat is forged, and
            // would have the stores read and end that person's sign-ins twice.
            if people.contains(&person) {
                return Err(foreign);
            }
            people.push(person);
        }
        Ok(Self { secret, people })
    }

    /// The text the cookie holds.
    pub fn value(&self) -> String {
        let mut value = self.secret.expose().to_owned();
        for person in &self.people {
            value.push(SEP);
            value.push_str(&encode_person(*person));
        }
        value
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    pub fn people(&self) -> &[UserId] {
        &self.people
    }

    /// The store's name for the browser's session: the secret's hash,
    /// followed by the people (none for a value of the older form).
    pub fn sid(&self) -> SecretHash {
        let hash = self.secret.hash();
        if self.people.is_empty() {
            return hash;
        }
        let mut sid = String::with_capacity(hash.as_str().len() + 23 * self.people.len());
        sid.push_str(hash.as_str());
        for person in &self.people {
            sid.push(SEP);
            sid.push_str(PersonText::of(*person).as_str());
        }
        SecretHash::from_stored(sid)
    }
}

impl SecretHash {
    /// The secret's hash alone, without the people a browser sid names:
    /// what identifies the browser.
    pub fn browser_hash(&self) -> &str {
        self.as_str().split(SEP).next().unwrap_or_default()
    }

    /// Whether this is a browser sid that names people (no allocation: the
    /// test every session operation starts with).
    pub fn names_people(&self) -> bool {
        self.as_str().contains(SEP)
    }

    /// The people a browser sid names (empty for one of the older form, or
    /// for any other hash). A part that does not decode is skipped: sids
    /// come from [`SessionCookie::sid`] or from this server's own records.
    pub fn people(&self) -> Vec<UserId> {
        self.as_str()
            .split(SEP)
            .skip(1)
            .filter_map(decode_person)
            .collect()
    }

    /// The sid of `person`'s sign-ins in this browser: the hash and that
    /// person alone (what an index entry or a token bound to one sign-in
    /// keeps). A sid of the older form stays as it is.
    pub fn for_person(&self, person: UserId) -> SecretHash {
        if !self.names_people() {
            return self.clone();
        }
        let text = PersonText::of(person);
        let browser = self.browser_hash();
        // Every check asks this of a sid that names that person alone.
        if self.as_str().len() == browser.len() + 23 && self.as_str().ends_with(text.as_str()) {
            return self.clone();
        }
        let mut sid = String::with_capacity(browser.len() + 23);
        sid.push_str(browser);
        sid.push(SEP);
        sid.push_str(text.as_str());
        SecretHash::from_stored(sid)
    }
}

/// A uuid's 22 base64url characters, on the stack (a check writes a few).
struct PersonText([u8; 24]);

impl PersonText {
    fn of(person: UserId) -> Self {
        let mut text = [0u8; 24];
        // 16 bytes are 22 characters unpadded: always fits.
        let written = URL_SAFE_NO_PAD
            .encode_slice(person.0.as_bytes(), &mut text)
            .unwrap_or_default();
        debug_assert_eq!(written, 22);
        Self(text)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[..22]).unwrap_or_default()
    }
}

/// A uuid in 22 base64url characters.
pub fn encode_person(person: UserId) -> String {
    PersonText::of(person).as_str().to_owned()
}

pub fn decode_person(text: &str) -> Option<UserId> {
    if text.len() != 22 {
        return None;
    }
    let mut bytes = [0u8; 18];
    let read = URL_SAFE_NO_PAD.decode_slice(text, &mut bytes).ok()?;
    Uuid::from_slice(&bytes[..read]).ok().map(UserId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_names_its_people_and_reads_back() {
        let (a, b) = (UserId::new(), UserId::new());
        let cookie = SessionCookie::new(Secret::generate(), [a, b, a]);
        assert_eq!(cookie.people(), &[a, b]);
        let value = cookie.value();
        assert_eq!(value.len(), 43 + 2 * 23);
        assert_eq!(SessionCookie::parse(&value).unwrap(), cookie);
        let sid = cookie.sid();
        assert_eq!(sid.browser_hash(), cookie.secret().hash().as_str());
        assert_eq!(sid.people(), vec![a, b]);
        let one = sid.for_person(b);
        assert_eq!(one.people(), vec![b]);
        assert_eq!(one.browser_hash(), sid.browser_hash());
    }

    #[test]
    fn a_bare_secret_is_a_value_of_the_older_form() {
        let secret = Secret::generate();
        let cookie = SessionCookie::parse(secret.expose()).unwrap();
        assert!(cookie.people().is_empty());
        assert_eq!(cookie.sid(), secret.hash());
        assert_eq!(cookie.sid().for_person(UserId::new()), secret.hash());
        assert!(cookie.sid().people().is_empty());
    }

    #[test]
    fn foreign_values_are_refused() {
        let secret = Secret::generate();
        let person = encode_person(UserId::new());
        let s = secret.expose();
        for bad in [
            String::new(),
            format!("{s}."),
            format!("{s}.abc"),
            format!("{s}.{person}x"),
            format!("{s}.{}", "é".repeat(11)),
            format!("{s}{}", format!(".{person}").repeat(MAX_PEOPLE + 1)),
            format!("x.{person}"),
            format!("{s}.{person}.{person}"),
        ] {
            assert!(SessionCookie::parse(&bad).is_err(), "{bad}");
        }
        let full = SessionCookie::new(secret, (0..MAX_PEOPLE).map(|_| UserId::new()));
        assert_eq!(full.people().len(), MAX_PEOPLE);
        assert_eq!(SessionCookie::parse(&full.value()).unwrap(), full);
    }
}
