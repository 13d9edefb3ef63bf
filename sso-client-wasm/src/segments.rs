//! `check_session`'s `supported_segments` (dash-separated) and `segment`.
//! The server enforces which segments a site may use; this only rejects
//! what could never be valid, with a message naming the argument.

use crate::error::Problem;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

const MAX: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segments {
    /// The site's own segment, when given.
    pub own: Option<String>,
    /// Dash-separated, own segment first, duplicates removed.
    pub supported: Option<String>,
}

impl Segments {
    pub fn parse(supported: Option<&str>, own: Option<&str>) -> Result<Self, Problem> {
        let own = match own.filter(|s| !s.is_empty()) {
            Some(s) if is_segment(s) => Some(s.to_owned()),
            Some(_) => return Err(Problem::invalid("segment", SEGMENT)),
            None => None,
        };
        let mut list: Vec<&str> = own.as_deref().into_iter().collect();
        for item in supported
            .filter(|s| !s.is_empty())
            .into_iter()
            .flat_map(|s| s.split(crate::text::is('-')))
        {
            if !is_segment(item) {
                return Err(Problem::invalid("supported_segments", LIST));
            }
            if !list.contains(&item) {
                list.push(item);
            }
        }
        if list.len() > MAX {
            return Err(Problem::invalid("supported_segments", LIST));
        }
        let mut supported = String::new();
        for item in &list {
            if !supported.is_empty() {
                supported.push('-');
            }
            supported.push_str(item);
        }
        let supported = (!supported.is_empty()).then_some(supported);
        Ok(Self { own, supported })
    }
}

const SEGMENT: &str = "a segment name (letters, digits, '_' or '.')";
const LIST: &str = "at most 16 dash-separated segment names (letters, digits, '_' or '.')";

fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_segment_comes_first_and_duplicates_go() {
        let s = Segments::parse(Some("sport-news-sport"), Some("news")).unwrap();
        assert_eq!(s.own.as_deref(), Some("news"));
        assert_eq!(s.supported.as_deref(), Some("news-sport"));
    }

    #[test]
    fn own_segment_alone_is_a_list() {
        let s = Segments::parse(None, Some("shop")).unwrap();
        assert_eq!(s.supported.as_deref(), Some("shop"));
        assert_eq!(
            Segments::parse(Some(""), None).unwrap(),
            Segments::default()
        );
    }

    #[test]
    fn bad_lists_name_the_argument() {
        for bad in [
            "news--sport",
            "news-",
            "new s",
            "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q",
        ] {
            assert_eq!(
                Segments::parse(Some(bad), None),
                Err(Problem::invalid("supported_segments", LIST)),
                "{bad}"
            );
        }
        assert_eq!(
            Segments::parse(None, Some("news-sport")),
            Err(Problem::invalid("segment", SEGMENT))
        );
    }
}
