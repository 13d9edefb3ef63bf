//! Percent-encoding of the result in the receiver URL's fragment
//! (`#state=…&sso=<JSON>`), which the receiver reads with
//! `decodeURIComponent`.
//!
//! Every page load of every site gets one, so it is a tight loop over runs of
//! bytes rather than `percent-encoding`'s piece-per-byte iterator (which was
//! about a twentieth of a `/sso/check`).

/// Bytes kept as they are: those RFC 3986 §3.5 allows in a fragment, less
/// `&`, `=` and `+` (the receiver splits on `&`; `=` and `+` read ambiguously
/// in form-style parsers) and `'` (so the URL can sit in any HTML attribute).
const fn keep_table() -> [bool; 256] {
    let mut keep = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        keep[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b';'
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
            );
        b += 1;
    }
    keep
}

static KEEP: [bool; 256] = keep_table();
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `text` to `out`, percent-encoding every byte not in [`KEEP`]
/// (so every non-ASCII byte: UTF-8 is encoded byte by byte). What it
/// appends is ASCII.
pub fn encode_into(out: &mut Vec<u8>, text: &str) {
    let mut rest = text.as_bytes();
    while let Some(at) = rest.iter().position(|&b| !KEEP[usize::from(b)]) {
        let b = rest[at];
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

/// Whether `text` is something [`encode_into`] can produce: only kept bytes
/// and `%XX` escapes of the others.
pub fn is_encoded(text: &str) -> bool {
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let escaped = match (bytes.next(), bytes.next()) {
                (Some(hi), Some(lo)) if HEX.contains(&hi) && HEX.contains(&lo) => {
                    hex_value(hi) << 4 | hex_value(lo)
                }
                _ => return false,
            };
            if KEEP[usize::from(escaped)] {
                return false;
            }
        } else if !KEEP[usize::from(b)] {
            return false;
        }
    }
    true
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::percent_decode_str;

    fn encode(text: &str) -> String {
        let mut out = Vec::new();
        encode_into(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn keeps_fragment_characters_and_encodes_the_rest() {
        assert_eq!(
            encode(r#"{"a":"b c","u":"http://x/y?z=1&w"}"#),
            "%7B%22a%22:%22b%20c%22,%22u%22:%22http://x/y?z%3D1%26w%22%7D"
        );
        assert_eq!(encode("+#'%"), "%2B%23%27%25");
    }

    #[test]
    fn non_ascii_round_trips() {
        for text in ["Ä: \"quoted\"", "日本語", "🙂x", "", "plain"] {
            let encoded = encode(text);
            assert!(encoded.is_ascii(), "{encoded}");
            assert_eq!(percent_decode_str(&encoded).decode_utf8().unwrap(), text);
        }
    }

    /// The bytes RFC 3986 allows in a fragment (pchar / "/" / "?", with
    /// `%` only as part of an escape, which `is_encoded` checks).
    fn rfc3986_fragment_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
    }

    proptest::proptest! {
        /// Any text survives the trip through a URL parser and the
        /// receiver's decoding, and the fragment holds only what a fragment
        /// may: nothing the receiver splits on, nothing a URL parser changes.
        #[test]
        fn any_text_round_trips_through_a_url(text: String) {
            let encoded = encode(&text);
            proptest::prop_assert!(encoded.bytes().all(rfc3986_fragment_byte));
            proptest::prop_assert!(is_encoded(&encoded));
            proptest::prop_assert!(!encoded.contains(['&', '=', '+', '#', '\'']));
            let url = url::Url::parse(&format!("http://news.localhost/r#state=s&sso={encoded}"))
                .unwrap();
            let fragment = url.fragment().unwrap();
            proptest::prop_assert_eq!(fragment, format!("state=s&sso={encoded}"));
            let sso = fragment.strip_prefix("state=s&sso=").unwrap();
            let decoded = percent_decode_str(sso).decode_utf8().unwrap();
            proptest::prop_assert_eq!(decoded, text);
        }
    }
}
