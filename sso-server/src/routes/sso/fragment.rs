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
}
