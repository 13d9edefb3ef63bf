use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ClientId, Profile, Segment, SessionId};
use crate::domain::SecretHash;

/// One browser's sign-in to one segment, as an access token (or the code it
/// is redeemed from) names it: the token stops working when that ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionBinding {
    pub sid: SecretHash,
    pub segment: Segment,
}

/// The sign-in of one browser in one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSession {
    /// Names this sign-in for its whole life, across cookie rotations: its
    /// entry in the user's index, and the `sid` of ID and logout tokens.
    pub id: SessionId,
    /// Who is signed in (a copy of the profile, see [`Profile`]).
    pub user: Profile,
    /// Unix time, seconds.
    pub created: i64,
    /// Unix time, seconds.
    pub expires: i64,
    /// Unix time, seconds: the last check that found it, to within
    /// `TOUCH_EVERY_SECS` (the sign-in time until then).
    pub last_used: i64,
    pub keep_me_logged_in: bool,
    /// How the person signed in.
    pub method: super::AuthMethod,
    /// Sites that used this session, with the index of the logout URI they
    /// registered with (an index keeps the stored session small).
    pub visits: BTreeMap<ClientId, u8>,
}

/// Everything one browser (one session cookie) is signed in to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrowserSession {
    pub segments: BTreeMap<Segment, SegmentSession>,
}

impl BrowserSession {
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Drops the segments whose time is up; the store's TTL only bounds the
    /// whole session, so each segment is checked on read.
    pub fn without_expired(mut self, now: i64) -> Self {
        self.segments.retain(|_, s| s.expires > now);
        self
    }

    /// The latest expiry of any segment, which bounds how long to keep it.
    pub fn expires(&self) -> Option<i64> {
        self.segments.values().map(|s| s.expires).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(expires: i64) -> SegmentSession {
        SegmentSession {
            id: SessionId::generate(),
            user: Profile {
                id: crate::domain::UserId::new(),
                email: "a@example.com".into(),
                display_name: "A".into(),
            },
            created: 0,
            expires,
            last_used: 0,
            keep_me_logged_in: false,
            method: crate::domain::AuthMethod::Password,
            visits: BTreeMap::new(),
        }
    }

    #[test]
    fn expired_segments_are_dropped() {
        let mut s = BrowserSession::default();
        s.segments.insert(Segment::parse("a").unwrap(), seg(10));
        s.segments.insert(Segment::parse("b").unwrap(), seg(30));
        let live = s.without_expired(20);
        assert_eq!(live.segments.len(), 1);
        assert_eq!(live.expires(), Some(30));
    }
}
