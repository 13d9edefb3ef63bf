//! `/sso.js`, `/sso_bg.wasm`, `/sso.d.ts`: the browser library, served from
//! memory with gzip and brotli, an ETag, and a cache lifetime that depends
//! on whether the URL names the file's version.

use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, VARY,
};

use crate::helpers::{Backend, TestApp, assert_error, spawn_app, spawn_app_with};

const SCRIPT: &str = "(function(){/* sso.js */})();\n";

/// A server whose assets_dir holds small stand-ins for the bundle.
async fn app_with_assets() -> (TestApp, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("sso-assets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..4000u32).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(dir.join("sso.js"), SCRIPT.repeat(50)).unwrap();
    std::fs::write(dir.join("sso_bg.wasm"), &wasm).unwrap();
    std::fs::write(dir.join("sso.d.ts"), "declare namespace SSO {}\n").unwrap();
    let app = spawn_app_with(Backend::Memory, |s| s.assets_dir = Some(dir)).await;
    (app, wasm)
}

async fn get(app: &TestApp, path: &str, encoding: Option<&str>) -> reqwest::Response {
    match encoding {
        Some(e) => app.get_with(path, &[("accept-encoding", e)]).await,
        None => app.get(path).await,
    }
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn script_comes_in_the_best_encoding_the_browser_accepts() {
    let (app, _) = app_with_assets().await;
    let expected = SCRIPT.repeat(50);

    let plain = get(&app, "/sso.js", None).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        header(&plain, CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert_eq!(header(&plain, VARY), "Accept-Encoding");
    assert_eq!(plain.text().await.unwrap(), expected);

    let gz = get(&app, "/sso.js", Some("gzip, deflate")).await;
    assert_eq!(header(&gz, CONTENT_ENCODING), "gzip");
    let body = gz.bytes().await.unwrap();
    assert!(body.len() < expected.len() / 5, "{} bytes", body.len());
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, expected);

    let br = get(&app, "/sso.js", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(header(&br, CONTENT_ENCODING), "br");
    let body = br.bytes().await.unwrap();
    let mut text = String::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, expected);

    let refused = get(&app, "/sso.js", Some("br;q=0, gzip;q=0")).await;
    assert_eq!(header(&refused, CONTENT_ENCODING), "");

    let head = app.http.head(app.url("/sso.js")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(!header(&head, ETAG).is_empty());
    assert!(head.bytes().await.unwrap().is_empty());
    let post = app.http.post(app.url("/sso.js")).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn script_is_cached_briefly_and_revalidated_by_etag() {
    let (app, _) = app_with_assets().await;
    let first = get(&app, "/sso.js", Some("br")).await;
    let etag = header(&first, ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
    assert_eq!(
        header(&first, CACHE_CONTROL),
        "public, max-age=300, stale-while-revalidate=86400"
    );

    let again = app.get_with("/sso.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, ETAG), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    let changed = app
        .get_with("/sso.js", &[("if-none-match", "\"0000000000000000\"")])
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test]
async fn wasm_is_immutable_under_its_version_and_fetchable_cross_origin() {
    let (app, wasm) = app_with_assets().await;
    let plain = get(&app, "/sso_bg.wasm", None).await;
    assert_eq!(header(&plain, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&plain, ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    let version = header(&plain, ETAG).trim_matches('"').to_owned();
    assert!(header(&plain, CACHE_CONTROL).contains("max-age=300"));
    assert_eq!(plain.bytes().await.unwrap(), wasm);

    let versioned = get(&app, &format!("/sso_bg.wasm?v={version}"), None).await;
    assert_eq!(
        header(&versioned, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let stale = get(&app, "/sso_bg.wasm?v=0123456789abcdef", None).await;
    assert!(header(&stale, CACHE_CONTROL).contains("max-age=300"));

    let types = get(&app, "/sso.d.ts", None).await;
    assert_eq!(types.status(), StatusCode::OK);
    assert!(types.text().await.unwrap().contains("namespace SSO"));
}

#[tokio::test]
async fn without_assets_dir_the_library_paths_say_so() {
    let app = spawn_app(Backend::Memory).await;
    for path in ["/sso.js", "/sso_bg.wasm", "/sso.d.ts"] {
        let r = get(&app, path, None).await;
        let body = assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("assets_dir"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_missing_assets_dir_stops_the_server_from_starting() {
    let mut settings =
        sso_core::config::Settings::demo(&sso_core::config::Overrides::default()).unwrap();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.assets_dir = Some("/nonexistent/sso-client".into());
    let store = std::sync::Arc::new(sso_core::store::MemoryStore::new());
    let err = sso_server::startup::Application::build_with_store(settings, store)
        .err()
        .expect("the server must refuse to start")
        .to_string();
    assert!(err.contains("/nonexistent/sso-client/sso.js"), "{err}");
    assert!(err.contains("make build"), "{err}");
}
