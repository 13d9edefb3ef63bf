//! Building strings without `core::fmt` or the generic `concat`/`join`,
//! which cost kilobytes of wasm for what a loop of `push_str` does.

use alloc::string::String;

/// The parts, one after another.
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        s.push_str(part);
    }
    s
}

/// `n` in decimal.
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

/// A decimal `u64` of at most 19 digits; `str::parse` pulls in core's
/// generic integer parsing.
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A pattern matching one character, for `split` and friends. A predicate
/// rather than the `char` itself: core's searcher for a `char` pattern
/// indexes slices with bounds checks whose panic messages bring
/// `core::fmt`'s integer formatting into the wasm (about 1 KB).
pub fn is(wanted: char) -> impl Fn(char) -> bool {
    move |c| c == wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_built() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(1_700_000_000_123), "1700000000123");
        assert_eq!(parse_decimal("1700000000123"), Some(1_700_000_000_123));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("12a"), None);
        assert_eq!(parse_decimal("-1"), None);
        assert_eq!(parse_decimal("99999999999999999999"), None);
    }
}
