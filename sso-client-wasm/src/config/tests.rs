//! The config object's validation, natively.

use super::*;
use std::collections::HashMap;

fn good() -> HashMap<&'static str, Raw> {
    let s = |v: &str| Raw::Str(v.to_owned());
    HashMap::from([
        ("client_id", s("news")),
        ("flow_name", s("standard")),
        ("flow_version", s("1")),
        ("locale", s("en-US")),
        ("redirect_uri", s("http://news.localhost:8081/")),
        ("sso_server", s("http://sso.localhost:8080/")),
        (
            "xd_receiver",
            s("http://news.localhost:8081/xd_receiver.html"),
        ),
    ])
}

fn parse(map: &HashMap<&'static str, Raw>) -> Result<Config, Problem> {
    Config::parse(|k| map.get(k).cloned().unwrap_or(Raw::Absent))
}

#[test]
fn defaults_follow_the_original_library() {
    let c = parse(&good()).unwrap();
    assert_eq!(c.sso_server, "http://sso.localhost:8080");
    assert_eq!(c.response_type, ResponseType::Token);
    assert_eq!(c.response_method, ResponseMethod::Auto);
    assert_eq!(c.bp_channel, "");
    assert_eq!(c.logout_uri, None);
    assert!(!c.refresh);
    assert_eq!(c.timeout_ms, DEFAULT_TIMEOUT_MS);
    assert_eq!((c.code_challenge, c.nonce), (None, None));
}

#[test]
fn each_required_parameter_is_named_when_missing_or_empty() {
    for name in [
        "client_id",
        "flow_name",
        "flow_version",
        "locale",
        "redirect_uri",
        "sso_server",
        "xd_receiver",
    ] {
        let mut map = good();
        map.remove(name);
        assert_eq!(parse(&map), Err(Problem::Missing(name)));
        map.insert(name, Raw::Str(String::new()));
        assert_eq!(parse(&map), Err(Problem::Missing(name)));
    }
}

#[test]
fn malformed_values_are_named() {
    let cases: [(&str, Raw); 17] = [
        ("timeout", Raw::Other),
        ("code_challenge", Raw::Str("too-short".into())),
        (
            "code_challenge",
            Raw::Str("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM".into()),
        ),
        ("nonce", Raw::Str("with space".into())),
        ("code_challenge_method", Raw::Str("plain".into())),
        ("client_id", Raw::Str("news site".into())),
        ("client_id", Raw::Whole(3)),
        ("sso_server", Raw::Str("sso.localhost:8080".into())),
        ("sso_server", Raw::Str("javascript:alert(1)".into())),
        (
            "xd_receiver",
            Raw::Str("http://news.localhost/x#frag".into()),
        ),
        ("redirect_uri", Raw::Str("http:///nohost".into())),
        ("logout_uri", Raw::Str("ftp://x/".into())),
        ("refresh", Raw::Str("yes".into())),
        ("response_type", Raw::Str("id_token".into())),
        ("response_method", Raw::Str("post".into())),
        ("capture_success", Raw::Str("onSuccess".into())),
        ("timeout", Raw::Whole(0)),
    ];
    for (name, value) in cases {
        let mut map = good();
        map.insert(name, value);
        match parse(&map) {
            Err(Problem::Invalid { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn pkce_and_nonce_go_with_codes_only() {
    let mut map = good();
    map.insert("code_challenge", Raw::Str(CHALLENGE.into()));
    map.insert("nonce", Raw::Str("n-0S6_WzA2Mj".into()));
    assert_eq!(
        parse(&map),
        Err(Problem::invalid(
            "code_challenge",
            "used only with response_type \"code\""
        ))
    );
    map.insert("response_type", Raw::Str("code".into()));
    map.insert("code_challenge_method", Raw::Str("S256".into()));
    let c = parse(&map).unwrap();
    assert_eq!(c.code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(c.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
}

#[test]
fn fields_are_read_as_the_page_script_describes_them() {
    let fields = Fields::new(
        "client_id\0snews\0timeout\0n2500\0refresh\0btrue\0capture_success\0f\0\
         locale\0\0flow_version\0n1.5\0config\0o\0segment\0x\0empty\0s",
    );
    assert_eq!(fields.get("client_id"), Raw::Str("news".into()));
    assert_eq!(fields.get("timeout"), Raw::Whole(2500));
    assert_eq!(fields.get("refresh"), Raw::Bool(true));
    assert_eq!(fields.get("capture_success"), Raw::Func);
    assert_eq!(fields.get("locale"), Raw::Absent);
    assert_eq!(fields.get("flow_version"), Raw::Other, "not whole");
    assert_eq!(fields.get("config"), Raw::Object);
    assert_eq!(fields.get("segment"), Raw::Other);
    assert_eq!(fields.get("empty"), Raw::Str(String::new()));
    assert_eq!(fields.get("nonce"), Raw::Absent, "not sent");
    assert_eq!(Raw::read("n-1"), Raw::Other);
    assert_eq!(Raw::read("nNaN"), Raw::Other);
    assert_eq!(Raw::read("bfalse"), Raw::Bool(false));
}

#[test]
fn optional_values_are_read() {
    let mut map = good();
    map.insert("flow_version", Raw::Whole(20240101));
    map.insert("response_type", Raw::Str("code".into()));
    map.insert("response_method", Raw::Str("JSONP".into()));
    map.insert("refresh", Raw::Bool(true));
    map.insert("timeout", Raw::Whole(2500));
    map.insert(
        "logout_uri",
        Raw::Str("http://news.localhost:8081/logout.html".into()),
    );
    map.insert("capture_success", Raw::Func);
    let c = parse(&map).unwrap();
    assert_eq!(c.flow_version, "20240101");
    assert_eq!(c.response_type, ResponseType::Code);
    assert_eq!(c.response_method, ResponseMethod::Jsonp);
    assert!(c.refresh);
    assert_eq!(c.timeout_ms, 2500);
    assert_eq!(
        c.logout_uri.as_deref(),
        Some("http://news.localhost:8081/logout.html")
    );
}
