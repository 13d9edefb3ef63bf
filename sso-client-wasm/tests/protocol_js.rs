//! `js/protocol.js` is generated from the `sso-protocol` crate: the numbers
//! and storage keys the page script shares with the wasm core are written
//! once. This test fails when the checked-in file differs from what the
//! crate says; `UPDATE_PROTOCOL_JS=1 cargo test -p sso-client-wasm` writes it.

use sso_protocol::{JS_CONSTANTS, JsValue};

fn render() -> String {
    let mut out = String::from(
        "// @ts-check\n\
         // Generated from the sso-protocol crate by\n\
         // `UPDATE_PROTOCOL_JS=1 cargo test -p sso-client-wasm`; do not edit.\n\
         // The numbers, names and storage keys the page script shares with the wasm core.\n",
    );
    for (name, value) in JS_CONSTANTS {
        let value = match value {
            JsValue::Number(n) => n.to_string(),
            JsValue::Text(t) => format!("{t:?}"),
            JsValue::Names(names) => format!("{names:?}"),
        };
        out.push_str(&format!("const {name} = {value};\n"));
    }
    out
}

/// The line of `sso.d.ts` that types `result.status`.
fn status_type() -> String {
    let literals: Vec<String> = sso_protocol::status::DELIVERED
        .iter()
        .map(|s| format!("{s:?}"))
        .collect();
    format!("      status: {};", literals.join(" | "))
}

#[test]
fn sso_d_ts_types_status_as_the_protocol_crate_says() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/sso.d.ts");
    let text = std::fs::read_to_string(path).unwrap();
    let marker = "// Generated from sso-protocol (status::DELIVERED); do not edit.\n";
    let at = text.find(marker).expect("the generated line's marker") + marker.len();
    let line = text[at..].lines().next().unwrap_or_default();
    let expected = status_type();
    if line != expected && std::env::var_os("UPDATE_PROTOCOL_JS").is_some() {
        let updated = format!("{}{expected}{}", &text[..at], &text[at + line.len()..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        line, expected,
        "sso.d.ts is stale: run `UPDATE_PROTOCOL_JS=1 cargo test -p sso-client-wasm`"
    );
}

#[test]
fn protocol_js_is_generated_from_the_protocol_crate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/protocol.js");
    let expected = render();
    if std::env::var_os("UPDATE_PROTOCOL_JS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "js/protocol.js is stale: run `UPDATE_PROTOCOL_JS=1 cargo test -p sso-client-wasm`"
    );
}
