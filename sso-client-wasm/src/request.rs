//! The URLs of `/sso/check`, `/sso/set` and `/sso/end` for a call.

use crate::config::{Config, ResponseMethod};
use crate::segments::Segments;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The three library calls, which map to the three SSO endpoints; their
/// numbers are the wire contract's (`sso_protocol::Op`), shared with the
/// page script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    Check = sso_protocol::Op::Check as u8,
    Set = sso_protocol::Op::Set as u8,
    End = sso_protocol::Op::End as u8,
}

impl Op {
    fn path(self) -> &'static str {
        match self {
            Self::Check => "/sso/check",
            Self::Set => "/sso/set",
            Self::End => "/sso/end",
        }
    }
    /// One letter, for the redirect hand-off record.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Check => "c",
            Self::Set => "s",
            Self::End => "e",
        }
    }
    /// The call the page script names by its number.
    pub fn from_index(index: u8) -> Option<Self> {
        [Self::Check, Self::Set, Self::End]
            .into_iter()
            .find(|op| *op as u8 == index)
    }
    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "c" => Some(Self::Check),
            "s" => Some(Self::Set),
            "e" => Some(Self::End),
            _ => None,
        }
    }
}

/// What one call adds to the config: `JANRAIN.SSO.CAPTURE.logout(urls)` may
/// send it to another server (without a trailing `/`) and logout URI than
/// the config's; a sign-in or sign-out carries the server's confirmation
/// token (`confirm`), which replaces the `sso_code` of a set.
#[derive(Debug, Default, Clone, Copy)]
pub struct Overrides<'a> {
    pub sso_server: Option<&'a str>,
    pub logout_uri: Option<&'a str>,
    pub confirm: Option<&'a str>,
}

/// The endpoint URL for `op`. `top_level` says whether the browser will
/// navigate there (redirect) or load it in the hidden iframe (jsonp).
pub fn url(
    op: Op,
    config: &Config,
    segments: &Segments,
    state: &str,
    top_level: bool,
    sso_code: Option<&str>,
    overrides: Overrides<'_>,
) -> String {
    let method = if top_level {
        ResponseMethod::Redirect
    } else {
        ResponseMethod::Jsonp
    };
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", &config.client_id),
        ("state", state),
        ("xd_receiver", &config.xd_receiver),
        ("response_method", method.as_str()),
    ];
    if let Some(own) = &segments.own {
        params.push(("segment", own));
    }
    if let Some(list) = &segments.supported {
        params.push(("supported_segments", list));
    }
    if let Some(uri) = overrides.logout_uri.or(config.logout_uri.as_deref()) {
        params.push(("logout_uri", uri));
    }
    if !config.bp_channel.is_empty() {
        params.push(("bp_channel", &config.bp_channel));
    }
    match op {
        Op::Check => {
            params.push(("flow", &config.flow_name));
            params.push(("flow_version", &config.flow_version));
            params.push(("locale", &config.locale));
            params.push(("response_type", config.response_type.as_str()));
            if config.refresh {
                params.push(("refresh", "true"));
            }
            if let Some(challenge) = &config.code_challenge {
                params.push(("code_challenge", challenge));
                params.push(("code_challenge_method", "S256"));
            }
            if let Some(nonce) = &config.nonce {
                params.push(("nonce", nonce));
            }
        }
        Op::Set => match overrides.confirm {
            Some(token) => params.push(("confirm", token)),
            None => params.extend(sso_code.map(|c| ("sso_code", c))),
        },
        Op::End => params.extend(overrides.confirm.map(|t| ("confirm", t))),
    }
    let mut url = String::with_capacity(256);
    url.push_str(overrides.sso_server.unwrap_or(&config.sso_server));
    url.push_str(op.path());
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(key);
        url.push('=');
        encode_into(&mut url, value);
    }
    url
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Raw, ResponseType};

    fn config() -> Config {
        let s = |v: &str| Raw::Str(v.to_owned());
        Config::parse(|k| match k {
            "client_id" => s("news"),
            "flow_name" => s("standard"),
            "flow_version" => s("1"),
            "locale" => s("sv-FI"),
            "redirect_uri" => s("http://news.localhost:8081/"),
            "sso_server" => s("http://sso.localhost:8080"),
            "xd_receiver" => s("http://news.localhost:8081/xd_receiver.html"),
            _ => Raw::Absent,
        })
        .unwrap()
    }

    #[test]
    fn check_url_carries_every_parameter_encoded() {
        let mut c = config();
        c.response_type = ResponseType::Code;
        c.refresh = true;
        c.bp_channel = "a b&c".into();
        let segments = Segments::parse(Some("news-sport"), Some("news")).unwrap();
        let url = url(
            Op::Check,
            &c,
            &segments,
            "s1234567",
            false,
            None,
            Overrides::default(),
        );
        assert_eq!(
            url,
            "http://sso.localhost:8080/sso/check?client_id=news&state=s1234567\
             &xd_receiver=http%3A%2F%2Fnews.localhost%3A8081%2Fxd_receiver.html\
             &response_method=jsonp&segment=news&supported_segments=news-sport\
             &bp_channel=a%20b%26c&flow=standard&flow_version=1&locale=sv-FI\
             &response_type=code&refresh=true"
        );
    }

    #[test]
    fn a_code_check_carries_the_pkce_challenge_and_the_nonce() {
        let mut c = config();
        c.response_type = ResponseType::Code;
        c.code_challenge = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        c.nonce = Some("n=1&x".into());
        let url = url(
            Op::Check,
            &c,
            &Segments::default(),
            "s1234567",
            true,
            None,
            Overrides::default(),
        );
        assert!(
            url.ends_with(
                "&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
                 &code_challenge_method=S256&nonce=n%3D1%26x"
            ),
            "{url}"
        );
        // Only the check asks for a code.
        let set = super::url(
            Op::Set,
            &c,
            &Segments::default(),
            "s1234567",
            true,
            Some("a"),
            Overrides::default(),
        );
        assert!(
            !set.contains("nonce") && !set.contains("code_challenge"),
            "{set}"
        );
    }

    #[test]
    fn set_and_end_urls() {
        let c = config();
        let none = Segments::default();
        assert_eq!(
            url(
                Op::Set,
                &c,
                &none,
                "s1234567",
                true,
                Some("abc"),
                Overrides::default()
            ),
            "http://sso.localhost:8080/sso/set?client_id=news&state=s1234567\
             &xd_receiver=http%3A%2F%2Fnews.localhost%3A8081%2Fxd_receiver.html\
             &response_method=redirect&sso_code=abc"
        );
        assert!(
            url(
                Op::End,
                &c,
                &none,
                "s1234567",
                false,
                None,
                Overrides::default()
            )
            .starts_with("http://sso.localhost:8080/sso/end?client_id=news&state=s1234567&")
        );
        // A confirmation replaces the code of a set, and rides along an end.
        let confirm = Overrides {
            confirm: Some("tok_en-1"),
            ..Overrides::default()
        };
        let set = url(Op::Set, &c, &none, "s1234567", false, Some("code"), confirm);
        assert!(
            set.ends_with("&confirm=tok_en-1") && !set.contains("sso_code"),
            "{set}"
        );
        let end = url(Op::End, &c, &none, "s1234567", false, None, confirm);
        assert!(end.ends_with("&confirm=tok_en-1"), "{end}");
        // JANRAIN.SSO.CAPTURE.logout's overrides.
        let other = Overrides {
            sso_server: Some("http://other.localhost"),
            logout_uri: Some("http://news.localhost:8081/bye"),
            confirm: None,
        };
        let end = url(Op::End, &c, &none, "s1234567", false, None, other);
        assert!(end.starts_with("http://other.localhost/sso/end?"), "{end}");
        assert!(
            end.contains("&logout_uri=http%3A%2F%2Fnews.localhost%3A8081%2Fbye"),
            "{end}"
        );
    }

    #[test]
    fn op_tags_round_trip() {
        for op in [Op::Check, Op::Set, Op::End] {
            assert_eq!(Op::from_tag(op.tag()), Some(op));
        }
        assert_eq!(Op::from_tag("x"), None);
    }
}
