//! The records that carry a top-level redirect's result across the
//! navigation, in `sessionStorage` (the receiver in `xd-receiver/` reads the
//! record and writes the result).

use crate::request::Op;
use alloc::borrow::ToOwned;
use alloc::string::String;

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
    record.push_str(&crate::text::decimal(now_ms as u64));
    record
}

/// The result the receiver stored for a redirect we started, if the two
/// records belong together and are fresh: the operation and the JSON.
pub fn redirect_result(redirect: &str, result: &str, now_ms: f64) -> Option<(Op, String)> {
    let mut r = redirect.split(crate::text::is('\n'));
    let (state, op, _return_url, started) = (r.next()?, r.next()?, r.next()?, r.next()?);
    let (result_state, json) = result.split_once(crate::text::is('\n'))?;
    let started = crate::text::parse_decimal(started)?;
    let fresh = (0.0..REDIRECT_MAX_AGE_MS).contains(&(now_ms - started as f64));
    (state == result_state && state.len() >= 8 && fresh)
        .then(|| Some((Op::from_tag(op)?, json.to_owned())))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

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
