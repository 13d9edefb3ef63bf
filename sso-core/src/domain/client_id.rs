use std::fmt;

use serde::{Deserialize, Serialize};

use super::{FieldError, parse_token};

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// A client (site) identifier as configured by the operator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        parse_token(raw, 64, is_id_char, "letters, digits, '_', '.' or '-'").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A segment name. Segments travel as dash-separated lists, so a dash is not
/// allowed inside one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Segment(String);

impl Segment {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        parse_token(
            raw,
            32,
            |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
            "letters, digits, '_' or '.' (a '-' separates segments)",
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `supported_segments` parameter: dash-separated, no empty items, at most
/// 16 segments, duplicates removed, order kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentList(Vec<Segment>);

impl SegmentList {
    pub const MAX: usize = 16;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::Empty);
        }
        let mut list: Vec<Segment> = Vec::new();
        for item in raw.split('-') {
            let segment = Segment::parse(item).map_err(|_| {
                FieldError::Malformed("dash-separated segment names (letters, digits, '_', '.')")
            })?;
            if !list.contains(&segment) {
                list.push(segment);
            }
            if list.len() > Self::MAX {
                return Err(FieldError::Malformed("a list of at most 16 segments"));
            }
        }
        Ok(Self(list))
    }

    /// The site's own segment first, then the others in the order given.
    pub fn with_own(own: &Segment, others: Option<SegmentList>) -> Self {
        let mut list = vec![own.clone()];
        for s in others.map(|l| l.0).unwrap_or_default() {
            if !list.contains(&s) {
                list.push(s);
            }
        }
        Self(list)
    }

    pub fn as_slice(&self) -> &[Segment] {
        &self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = &Segment> {
        self.0.iter()
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype_impls!(ClientId);
string_newtype_impls!(Segment);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_list_keeps_order_and_drops_duplicates() {
        let list = SegmentList::parse("news-sport-news").unwrap();
        let names: Vec<_> = list.iter().map(Segment::as_str).collect();
        assert_eq!(names, ["news", "sport"]);
    }

    #[test]
    fn segment_list_rejects_empty_items() {
        assert!(SegmentList::parse("news--sport").is_err());
        assert!(SegmentList::parse("-news").is_err());
        assert_eq!(SegmentList::parse(""), Err(FieldError::Empty));
    }

    #[test]
    fn own_segment_always_included_first() {
        let own = Segment::parse("sport").unwrap();
        let list = SegmentList::with_own(&own, Some(SegmentList::parse("news-sport").unwrap()));
        let names: Vec<_> = list.iter().map(Segment::as_str).collect();
        assert_eq!(names, ["sport", "news"]);
    }

    #[test]
    fn client_id_rejects_unicode_and_overlong() {
        assert!(ClientId::parse("néws").is_err());
        assert_eq!(
            ClientId::parse(&"a".repeat(65)),
            Err(FieldError::TooLong(64))
        );
        assert!(ClientId::parse("news").is_ok());
    }
}
