//! The README stays true: its error catalog and configuration reference list
//! exactly what the code has.

use sso_server::error::ErrorKind;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

#[test]
fn readme_lists_every_catalog_error() {
    let readme = readme();
    for kind in ErrorKind::ALL {
        let (code, name, status) = kind.identity();
        let row = format!("| {code} | `{name}` | {} |", status.as_u16());
        assert!(readme.contains(&row), "README error catalog lacks: {row}");
    }
}

#[test]
fn readme_lists_every_api_status() {
    let readme = readme();
    for status in sso_server::api::ApiStatus::ALL {
        let (code, name, http) = status.identity();
        let row = format!("| {code} | `{name}` | {} |", http.as_u16());
        assert!(
            readme.contains(&row),
            "README API status table lacks: {row}"
        );
    }
}

#[test]
fn readme_documents_every_config_key() {
    let readme = readme();
    let demo = sso_server::config::DEMO_TOML;
    for line in demo.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('[') || !line.contains('=') {
            continue;
        }
        let key = line.split('=').next().unwrap().trim();
        assert!(
            readme.contains(&format!("`{key}`")),
            "README config reference lacks `{key}`"
        );
    }
}
