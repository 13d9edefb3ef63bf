//! `/sso/storage-access`: the Storage Access button `SSO.request_storage_access`
//! shows in a frame of the SSO server.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::*;

const PATH: &str = "/sso/storage-access";

/// The text between `open` and `close` in `html`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).expect(open) + open.len();
    let end = html[start..].find(close).expect(close) + start;
    &html[start..end]
}

fn sha256(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[tokio::test]
async fn the_button_page_may_be_framed_only_by_the_clients_origins_and_runs_only_its_own_code() {
    let app = spawn_app(Backend::Memory).await;
    let answer = app.sso(PATH, &SPORT.check_params(), None, &[]).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let headers = answer.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // No grant in this request: nothing to activate.
    assert!(headers.get("activate-storage-access").is_none());
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = answer.text().await.unwrap();
    assert!(html.contains("<button id=\"allow\""), "{html}");

    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    // Framed by sport's registered origin only: a hostile page cannot put
    // the button under a person's pointer.
    assert!(
        directives.contains(&"frame-ancestors http://sport.localhost:8082"),
        "{csp}"
    );
    // Only the page's own inline script and style run, by hash.
    let script = between(&html, "<script>", "</script>");
    let style = between(&html, "<style>", "</style>");
    assert!(
        directives.contains(&format!("script-src {}", sha256(script)).as_str()),
        "{csp}"
    );
    assert!(
        directives.contains(&format!("style-src {}", sha256(style)).as_str()),
        "{csp}"
    );
    assert!(directives.contains(&"default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    // The click goes on to /sso/check beside the page, with the same query.
    assert!(script.contains("location.replace(\"check\" + location.search)"));
}

#[tokio::test]
async fn where_a_grant_exists_the_page_is_loaded_with_it_in_use() {
    let app = spawn_app(Backend::Memory).await;
    for (status, activated) in [("inactive", true), ("active", true), ("none", false)] {
        let answer = app
            .sso(
                PATH,
                &SPORT.check_params(),
                None,
                &[
                    ("sec-fetch-storage-access", status),
                    ("origin", SPORT.origin),
                ],
            )
            .await;
        assert_eq!(answer.status(), StatusCode::OK);
        let headers = answer.headers();
        assert_eq!(
            headers
                .get("activate-storage-access")
                .map(|v| v.to_str().unwrap()),
            activated.then_some("load"),
            "{status}"
        );
        if activated {
            assert!(
                varies_on(headers, "sec-fetch-storage-access"),
                "{headers:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_request_check_would_refuse_is_refused_before_the_button_is_shown() {
    let app = spawn_app(Backend::Memory).await;
    // An untrusted target: the 400 page, no redirect, nothing framable.
    for (key, value, error) in [
        ("client_id", Some("nobody"), "unknown_client"),
        (
            "xd_receiver",
            Some("http://evil.localhost:8666/xd_receiver.html"),
            "url_not_registered",
        ),
        ("state", Some("bad state"), "invalid_argument"),
    ] {
        let answer = app
            .sso(PATH, &with(SPORT.check_params(), key, value), None, &[])
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{key}");
        assert!(answer.headers().get("location").is_none());
        assert!(answer.headers().get("content-security-policy").is_none());
        assert!(answer.text().await.unwrap().contains(error), "{key}");
    }
    // A trusted target with a segment sport may not use: the error goes to
    // sport's receiver, as /sso/check sends it.
    let answer = app
        .sso(
            PATH,
            &with(SPORT.check_params(), "supported_segments", Some("shop")),
            None,
            &[],
        )
        .await;
    let delivered = delivery(&answer);
    assert_eq!(delivered.receiver, SPORT.receiver());
    assert_eq!(delivered.error(), "segment_not_allowed");
}
