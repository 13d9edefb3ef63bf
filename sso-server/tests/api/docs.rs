//! The README stays true: its error catalog and configuration reference list
//! exactly what the code has, and its tables agree with the OpenAPI document
//! the server serves.

use std::collections::BTreeSet;

use serde_json::Value;
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
    let demo = sso_core::config::DEMO_TOML;
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

/// The OpenAPI document of a server at this URL, as JSON.
fn openapi() -> Value {
    let doc = sso_server::routes::openapi::document("http://sso.localhost:8080", "sso_session");
    serde_json::from_str(&doc.to_json().unwrap()).unwrap()
}

/// The body rows of the README table whose header row starts with `header`,
/// each as its cells with surrounding backticks removed.
fn table(readme: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = readme
        .lines()
        // A table inside a list item is indented.
        .map(str::trim_start)
        .skip_while(|l| !l.starts_with(header))
        .skip(2);
    let mut rows = Vec::new();
    for line in lines.by_ref() {
        if !line.starts_with('|') {
            break;
        }
        rows.push(
            line.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect(),
        );
    }
    assert!(!rows.is_empty(), "README has no table headed `{header}`");
    rows
}

fn schema_enum(doc: &Value, schema: &str, field: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"][field]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema}.{field} has no enum"))
        .iter()
        .map(|v| v.to_string().trim_matches('"').to_owned())
        .collect()
}

#[test]
fn readme_endpoint_tables_are_the_documents_operations() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "http://sso.localhost:8080");
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let readme = readme();
    // The endpoint table: every operation outside /api, the paths of a row
    // separated by commas; `/api/<action>` stands for the action table.
    let mut listed = BTreeSet::new();
    for row in table(&readme, "| method | path | called by |") {
        for path in row[1].split(", ").map(|p| p.trim_matches('`')) {
            if path != "/api/<action>" {
                listed.insert(format!("{} {path}", row[0]));
            }
        }
    }
    // The action table: every `/api/...` operation, all POST.
    for row in table(&readme, "| action | token |") {
        listed.insert(format!("POST /api/{}", row[0]));
    }
    // `/openapi.json` serves the document and is not described in it.
    listed.remove("GET /openapi.json");
    assert_eq!(
        listed, operations,
        "README's endpoint and action tables against the document"
    );
}

#[test]
fn readme_error_catalog_is_the_documents() {
    let doc = openapi();
    let rows = table(&readme(), "| code | error | HTTP |");
    let codes: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    let names: BTreeSet<String> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(codes, schema_enum(&doc, "ErrorBody", "code"));
    assert_eq!(names, schema_enum(&doc, "ErrorBody", "error"));
}

#[test]
fn readme_api_statuses_are_the_documents() {
    let doc = openapi();
    let rows = table(&readme(), "| status | statusmessage | HTTP |");
    let codes: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    let names: BTreeSet<String> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(codes, schema_enum(&doc, "EnvelopeHeader", "status"));
    assert_eq!(names, schema_enum(&doc, "EnvelopeHeader", "statusmessage"));
}

#[test]
fn readme_token_errors_are_the_documents() {
    let doc = openapi();
    let rows = table(&readme(), "| error | HTTP | when |");
    let names: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(names, schema_enum(&doc, "TokenErrorBody", "error"));
    // Every HTTP status the README gives is a documented answer of /oauth/token.
    let documented: BTreeSet<String> = doc["paths"]["/oauth/token"]["post"]["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for row in &rows {
        // A 500 is a bug, never part of the contract.
        for status in row[1]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| s.len() == 3 && *s != "500")
        {
            assert!(
                documented.contains(status),
                "README gives {status} for {}, the document does not",
                row[0]
            );
        }
    }
}

#[test]
fn readme_bearer_errors_are_the_documents() {
    let doc = openapi();
    let rows = table(&readme(), "| bearer error | HTTP | when |");
    let names: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(names, schema_enum(&doc, "BearerErrorBody", "error"));
}

/// Every urlencoded request body: further fields are single strings (a form
/// holds nothing else, and a repeated name is refused), and no field is
/// nullable (a form cannot say null), so generated requests are forms.
#[test]
fn forms_are_described_as_forms() {
    let doc = openapi();
    let mut forms = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let body = &op["requestBody"]["content"]["application/x-www-form-urlencoded"];
            let Some(reference) = body["schema"]["$ref"].as_str() else {
                continue;
            };
            forms += 1;
            let name = reference.rsplit('/').next().unwrap();
            let schema = &doc["components"]["schemas"][name];
            assert_eq!(
                schema["type"], "object",
                "{method} {path}: {name} is one object"
            );
            assert_eq!(
                schema["additionalProperties"],
                serde_json::json!({"type": "string"}),
                "{method} {path}: {name}'s further fields"
            );
            for (field, property) in schema["properties"].as_object().unwrap() {
                let text = property.to_string();
                assert!(
                    !text.contains("\"null\""),
                    "{method} {path}: {name}.{field} is nullable: {text}"
                );
            }
        }
    }
    assert!(forms >= 15, "{forms} form bodies");
}
