//! State bookkeeping: every request carries a fresh unguessable `state`,
//! and a result is accepted only for a state that is still pending, once.
//! Also the records that carry a top-level redirect's result across the
//! navigation (written here and by the receiver in `xd-receiver/`).

use crate::request::Op;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// 128 random bits as 32 lowercase hex digits (the server wants 8-128
/// characters from `[A-Za-z0-9_-]`).
pub fn new_state(random: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in random {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// `n` in decimal, without `core::fmt` (which would cost kilobytes of wasm).
pub fn decimal(mut n: u64) -> String {
    let mut digits = String::new();
    loop {
        digits.insert(0, char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            return digits;
        }
    }
}

/// Requests awaiting their result, by state.
#[derive(Debug)]
pub struct Pending<T> {
    entries: Vec<(String, T)>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Pending<T> {
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    pub fn insert(&mut self, state: String, value: T) {
        self.entries.push((state, value));
    }

    pub fn get(&self, state: &str) -> Option<&T> {
        self.entries
            .iter()
            .find(|(s, _)| s == state)
            .map(|(_, v)| v)
    }

    /// Removes and returns the request: a state is answered at most once.
    pub fn take(&mut self, state: &str) -> Option<T> {
        let i = self.entries.iter().position(|(s, _)| s == state)?;
        Some(self.entries.swap_remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `sessionStorage` keys shared with the receiver script.
pub const REDIRECT_KEY: &str = "sso.pending";
pub const RESULT_KEY: &str = "sso.result";

/// A redirect result is accepted only this long after the redirect began.
const REDIRECT_MAX_AGE_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The record written before a top-level redirect:
/// `state \n op \n return URL \n started (ms)`. The receiver reads the
/// state and return URL; a URL never holds a raw newline.
pub fn redirect_record(state: &str, op: Op, return_url: &str, now_ms: f64) -> String {
    let mut record = String::with_capacity(64 + return_url.len());
    for part in [state, op.tag(), return_url] {
        record.push_str(part);
        record.push('\n');
    }
    record.push_str(&decimal(now_ms as u64));
    record
}

/// The result the receiver stored for a redirect we started, if the two
/// records belong together and are fresh: the operation and the JSON.
pub fn redirect_result(redirect: &str, result: &str, now_ms: f64) -> Option<(Op, String)> {
    let mut r = redirect.split('\n');
    let (state, op, _return_url, started) = (r.next()?, r.next()?, r.next()?, r.next()?);
    let (result_state, json) = result.split_once('\n')?;
    let started: u64 = started.parse().ok()?;
    let fresh = (0.0..REDIRECT_MAX_AGE_MS).contains(&(now_ms - started as f64));
    (state == result_state && state.len() >= 8 && fresh)
        .then(|| Some((Op::from_tag(op)?, json.to_owned())))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_32_hex_digits() {
        let s = new_state([0xab; 16]);
        assert_eq!(s.len(), 32);
        assert_eq!(&s[..4], "abab");
        assert_ne!(new_state([1; 16]), new_state([2; 16]));
    }

    #[test]
    fn a_state_is_answered_once() {
        let mut p = Pending::default();
        p.insert("aaaaaaaa".to_owned(), 1);
        p.insert("bbbbbbbb".to_owned(), 2);
        assert_eq!(p.get("bbbbbbbb"), Some(&2));
        assert_eq!(p.take("unknown1"), None);
        assert_eq!(p.take("aaaaaaaa"), Some(1));
        assert_eq!(p.take("aaaaaaaa"), None);
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn redirect_results_must_match_the_started_redirect() {
        let record = redirect_record("s1234567", Op::Set, "http://news.localhost/a?b", 1000.0);
        assert_eq!(record, "s1234567\ns\nhttp://news.localhost/a?b\n1000");
        let json = "{\"stat\":\"ok\"}";
        assert_eq!(
            redirect_result(&record, &["s1234567", json].join("\n"), 2000.0),
            Some((Op::Set, json.to_owned()))
        );
        // Another state, a stale record, or garbage: nothing.
        assert_eq!(redirect_result(&record, "s7654321\n{}", 2000.0), None);
        assert_eq!(redirect_result(&record, "s1234567\n{}", 1e9), None);
        assert_eq!(redirect_result("garbage", "s1234567\n{}", 2000.0), None);
        assert_eq!(redirect_result(&record, "no newline", 2000.0), None);
    }
}
