//! Bad authorization requests: before the client and redirect URI are
//! known to be good, a page and never a redirect; after, the error goes
//! back to the client with `state` and `iss`.

use reqwest::StatusCode;
use serde_json::Value;

use super::*;
use sso_test_support::each_store;

async fn without_a_trusted_target_errors_are_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let long_state = "s".repeat(1025);
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (with(request(&NEWS), "client_id", None), "missing_argument"),
        (
            with(request(&NEWS), "client_id", Some("nobody")),
            "unknown_client",
        ),
        (
            with(request(&NEWS), "redirect_uri", None),
            "missing_argument",
        ),
        (
            with(
                request(&NEWS),
                "redirect_uri",
                Some("http://evil.localhost/"),
            ),
            "url_not_registered",
        ),
        // Another client's URI, a longer one, one without the slash.
        (
            with(
                request(&NEWS),
                "redirect_uri",
                Some("http://sport.localhost:8082/"),
            ),
            "url_not_registered",
        ),
        (
            with(
                request(&NEWS),
                "redirect_uri",
                Some("http://news.localhost:8081/x"),
            ),
            "url_not_registered",
        ),
        (
            with(
                request(&NEWS),
                "redirect_uri",
                Some("http://news.localhost:8081"),
            ),
            "url_not_registered",
        ),
        // The library's receiver is not a redirect URI of this endpoint.
        (
            with(request(&NEWS), "redirect_uri", Some(&NEWS.receiver())),
            "url_not_registered",
        ),
        (
            with(request(&NEWS), "state", Some(&long_state)),
            "invalid_argument",
        ),
    ];
    for (query, error) in cases {
        let html = html_page(
            app.authorize(&query, &Jar::default()).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(html.contains(error), "{query:?}: {html}");
    }
    // In the asked language, around the catalog's name.
    let q = with(
        with(request(&NEWS), "client_id", Some("nobody")),
        "ui_locales",
        Some("sv"),
    );
    let html = html_page(
        app.authorize(&q, &Jar::default()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    assert!(
        html.contains("Något gick fel") && html.contains("unknown_client"),
        "{html}"
    );
    // A repeated parameter: no part of the server may read another value.
    let mut repeated = request(&NEWS);
    repeated.push(("redirect_uri".into(), "http://evil.localhost/".into()));
    html_page(
        app.authorize(&repeated, &Jar::default()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let r = app
        .http
        .put(app.url("/oauth/authorize"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

async fn later_errors_go_back_to_the_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "n".repeat(300);
    let cases: Vec<(&str, Option<&str>, &str)> = vec![
        ("response_type", None, "invalid_request"),
        ("response_type", Some("token"), "unsupported_response_type"),
        (
            "response_type",
            Some("code id_token"),
            "unsupported_response_type",
        ),
        ("scope", None, "invalid_request"),
        ("scope", Some("email profile"), "invalid_scope"),
        (
            "request",
            Some("eyJhbGciOiJub25lIn0.e30."),
            "request_not_supported",
        ),
        (
            "request_uri",
            Some("https://x.example/r"),
            "request_uri_not_supported",
        ),
        ("prompt", Some("none login"), "invalid_request"),
        ("prompt", Some("bogus"), "invalid_request"),
        ("max_age", Some("-1"), "invalid_request"),
        ("max_age", Some("soon"), "invalid_request"),
        ("code_challenge_method", Some("S256"), "invalid_request"),
        ("nonce", Some(&long), "invalid_request"),
        ("login_hint", Some(&long), "invalid_request"),
        ("id_token_hint", Some("not.a.token"), "invalid_request"),
        ("response_mode", Some("web_message"), "invalid_request"),
    ];
    for (name, value, error) in cases {
        let q = with(request(&NEWS), name, value);
        let a = answer(
            &app.authorize(&q, &Jar::default()).await,
            &NEWS.redirect_uri(),
        );
        assert_eq!(a["error"], error, "{name}={value:?}: {a:?}");
        assert!(!a["error_description"].is_empty());
        assert_eq!(a["state"], "st&te 1");
        assert_eq!(a["iss"], app.settings.issuer());
        assert_eq!(a.get("code"), None);
    }
    // PKCE: `plain` is refused, S256 needs a well-formed challenge.
    let q = with(
        with(request(&NEWS), "code_challenge", Some(&"a".repeat(43))),
        "code_challenge_method",
        Some("plain"),
    );
    let a = answer(
        &app.authorize(&q, &Jar::default()).await,
        &NEWS.redirect_uri(),
    );
    assert_eq!(a["error"], "invalid_request");
    // An error in the fragment when the fragment was asked for.
    let q = with(
        with(request(&NEWS), "response_mode", Some("fragment")),
        "scope",
        Some("email"),
    );
    let r = app.authorize(&q, &Jar::default()).await;
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://news.localhost:8081/#error=invalid_scope"),
        "{location}"
    );
}

async fn the_same_request_may_be_posted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "posted@example.com").await;
    let r = app
        .hosted_post(
            "/oauth/authorize",
            &request(&NEWS),
            &Jar::with_session(&cookie),
        )
        .await;
    code_of(&app, &r, &NEWS);
}

async fn discovery_describes_the_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["authorization_endpoint"], app.url("/oauth/authorize"));
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["response_modes_supported"],
        serde_json::json!(["query", "fragment", "form_post"])
    );
    assert_eq!(
        doc["prompt_values_supported"],
        serde_json::json!(["none", "login", "create", "consent", "select_account"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["request_parameter_supported"], false);
    assert_eq!(doc["request_uri_parameter_supported"], false);
}

each_store!(
    without_a_trusted_target_errors_are_pages,
    later_errors_go_back_to_the_client,
    the_same_request_may_be_posted,
    discovery_describes_the_endpoint,
);
