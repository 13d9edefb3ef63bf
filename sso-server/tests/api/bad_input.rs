//! Bad input on every endpoint gets a clear catalog error: never a panic, a
//! 5xx, or a redirect to an unregistered URL.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use sso_test_support::each_store;

const HUGE: usize = 10_000;

/// `(label, value)` pairs every field is tried with.
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("missing", String::new()), // handled by removal below
        ("empty", String::new()),
        ("oversized", "a".repeat(HUGE)),
        ("malformed", "%%<>\"'\\;".to_owned()),
        ("unicode", "ñ😀\u{202e}ü\u{0}".to_owned()),
    ]
}

async fn registration_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut form = NEWS.form();
    form.push(("emailAddress".into(), "valid@example.com".into()));
    form.push(("password".into(), PASSWORD.into()));
    form.push(("displayName".into(), "Valid".into()));
    let fields = [
        "client_id",
        "flow",
        "flow_version",
        "locale",
        "redirect_uri",
        "emailAddress",
        "password",
        "displayName",
        "response_type",
        "keepMeLoggedIn",
        "form",
    ];
    for (n, field) in fields.into_iter().enumerate() {
        for (m, (label, value)) in hostile_values().into_iter().enumerate() {
            let value = (label != "missing").then_some(value.as_str());
            let fresh = with(
                form.clone(),
                "emailAddress",
                Some(&format!("u{n}-{m}@example.com")),
            );
            let r = app
                .post_form(
                    "/oauth/register_native_traditional",
                    &with(fresh, field, value),
                )
                .await;
            let status = r.status();
            if status == StatusCode::OK {
                // Optional fields may be absent or empty; passwords and display
                // names are free text (sites escape them on output). Nothing
                // else passes.
                let accepted = matches!(
                    (field, label),
                    (
                        "response_type" | "keepMeLoggedIn" | "form",
                        "missing" | "empty"
                    ) | ("password" | "displayName", "malformed")
                );
                assert!(accepted, "{field} {label} was accepted");
                continue;
            }
            assert!(status.is_client_error(), "{field} {label}: {status}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["stat"], "error");
            let error = body["error"].as_str().unwrap();
            assert!(
                [
                    "missing_argument",
                    "invalid_argument",
                    "unknown_client",
                    "unknown_flow",
                    "unknown_flow_version",
                    "unknown_locale",
                    "url_not_registered",
                    "email_address_in_use",
                ]
                .contains(&error),
                "{field} {label}: {error}"
            );
            let description = body["error_description"].as_str().unwrap();
            assert!(
                description.len() < 300,
                "errors do not echo input back: {description}"
            );
            if matches!(label, "missing" | "empty") && field != "displayName" {
                assert_eq!(error, "missing_argument", "{field} {label}");
                assert!(
                    description.contains(field),
                    "names the field: {description}"
                );
            }
        }
    }
}

async fn sign_in_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut form = NEWS.form();
    form.push(("signInEmailAddress".into(), "valid@example.com".into()));
    form.push(("currentPassword".into(), PASSWORD.into()));
    for field in ["signInEmailAddress", "currentPassword"] {
        for (label, value) in hostile_values() {
            let value = (label != "missing").then_some(value.as_str());
            let r = app
                .post_form(
                    "/oauth/auth_native_traditional",
                    &with(form.clone(), field, value),
                )
                .await;
            assert!(
                r.status().is_client_error(),
                "{field} {label}: {}",
                r.status()
            );
            let body: Value = r.json().await.unwrap();
            assert!(
                [
                    "missing_argument",
                    "invalid_argument",
                    "invalid_credentials"
                ]
                .contains(&body["error"].as_str().unwrap()),
                "{field} {label}: {body}"
            );
        }
    }
}

async fn sso_endpoint_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "bad-sso@example.com").await;
    let endpoints = sso_endpoints(&user.sso_code);
    for (path, base) in endpoints {
        let fields: Vec<String> = base
            .iter()
            .map(|(k, _)| k.clone())
            .chain(["logout_uri", "bp_channel", "refresh", "response_method"].map(String::from))
            .collect();
        for field in &fields {
            for (label, value) in hostile_values() {
                let value = (label != "missing").then_some(value.as_str());
                let r = app
                    .sso(path, &with(base.clone(), field, value), None, &[])
                    .await;
                let status = r.status();
                assert!(
                    status == StatusCode::SEE_OTHER || status.is_client_error(),
                    "{path} {field} {label}: {status}"
                );
                if status == StatusCode::SEE_OTHER {
                    // Only ever to the registered receiver.
                    let d = delivery(&r);
                    assert_eq!(d.receiver, NEWS.receiver(), "{path} {field} {label}");
                } else {
                    assert!(r.headers().get("location").is_none());
                }
            }
        }
    }
}

async fn unknown_routes_methods_and_bodies(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/nope").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.http.delete(app.url("/sso/check")).send().await.unwrap();
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = app.get("/oauth/auth_native_traditional").await;
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    const FORM: &str = "application/x-www-form-urlencoded";
    let r = post_raw(
        &app,
        "/oauth/auth_native_traditional",
        "application/json",
        "{}",
    )
    .await;
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let oversized = format!("displayName={}", "a".repeat(20_000));
    let r = post_raw(&app, "/oauth/register_native_traditional", FORM, oversized).await;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let not_utf8 = vec![0xff, 0xfe, b'=', 0x80];
    let r = post_raw(&app, "/oauth/register_native_traditional", FORM, not_utf8).await;
    assert!(r.status().is_client_error());
    // Invalid percent-encoding in a query string.
    let r = app
        .http
        .get(format!("{}/sso/check?client_id=%zz%ff&state=%", app.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(r.headers().get("location").is_none());
}

/// The three SSO endpoints with the parameters the library sends to each.
fn sso_endpoints(sso_code: &str) -> [(&'static str, Vec<(String, String)>); 3] {
    [
        ("/sso/check", NEWS.check_params()),
        (
            "/sso/set",
            with(NEWS.base_params(), "sso_code", Some(sso_code)),
        ),
        ("/sso/end", NEWS.base_params()),
    ]
}

/// A POST with a body of our own making, bypassing the client's encoding.
async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let request = app
        .http
        .post(app.url(path))
        .header("content-type", content_type);
    request.body(body).send().await.unwrap()
}

async fn garbage_cookies_are_no_session(backend: Backend) {
    let app = spawn_app(backend).await;
    for cookie in ["", "x", "%00%ff", &"a".repeat(4000), "ñ😀"] {
        let r = app
            .http
            .get(app.url("/sso/check"))
            .query(&NEWS.check_params())
            .header("cookie", format!("sso_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(delivery(&r).status(), "no_session", "{cookie}");
    }
}

/// `response_method`, `refresh` and `bp_channel` mean nothing to the server,
/// but a malformed one is refused by every SSO endpoint alike.
async fn passthrough_parameters_are_validated_on_every_sso_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "passthrough@example.com").await;
    let endpoints = sso_endpoints(&user.sso_code);
    for (path, base) in endpoints {
        for (key, value) in [
            ("response_method", "carrier-pigeon"),
            ("refresh", "maybe"),
            ("bp_channel", &"c".repeat(257)),
        ] {
            let r = app
                .sso(path, &with(base.clone(), key, Some(value)), None, &[])
                .await;
            let d = delivery(&r);
            assert_eq!(d.error(), "invalid_argument", "{path} {key}");
            let description = d.result["error_description"].as_str().unwrap();
            assert!(description.contains(key), "{path}: {description}");
        }
    }
    // The code was not consumed by the refused set: it still works.
    assert_eq!(
        app.set_session(&NEWS, &user.sso_code, None).await.status(),
        "success"
    );
}

/// One rule for a parameter sent twice, on every endpoint: refused with a
/// message naming it (no part of the server may read one value while
/// another reads the other).
async fn a_repeated_parameter_is_refused_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    // An SSO endpoint: the 400 page, no redirect.
    let mut query = SPORT.check_params();
    query.push(("state".into(), "another-state-1".into()));
    let r = app.sso("/sso/check", &query, None, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("`state` is repeated"));
    // The registration API.
    let mut form = NEWS.form();
    form.push(("signInEmailAddress".into(), "a@example.com".into()));
    form.push(("signInEmailAddress".into(), "b@example.com".into()));
    form.push(("currentPassword".into(), PASSWORD.into()));
    let r = app.post_form("/oauth/auth_native_traditional", &form).await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "invalid_argument").await;
    assert!(
        body.to_string()
            .contains("`signInEmailAddress` is repeated"),
        "{body}"
    );
    // The token endpoint (RFC 6749 §3.2) and the application API.
    for (path, body, repeated) in [
        (
            "/oauth/token",
            "grant_type=authorization_code&code=a&code=b",
            "code",
        ),
        ("/api/user/info", "user=a&user=b", "user"),
    ] {
        let r = app
            .http
            .post(app.url(path))
            .basic_auth("portal", Some("portal-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let text = r.text().await.unwrap();
        assert!(
            text.contains(&format!("`{repeated}` is repeated")),
            "{path}: {text}"
        );
    }
}

/// RFC 9110 §15.5.6: a 405 names the methods the resource takes (`Allow`),
/// on every kind of route. (Found by schemathesis's `unsupported_method`.)
async fn every_405_says_which_methods_are_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/sso/check", "GET"),
        (reqwest::Method::GET, "/oauth/token", "POST"),
        (reqwest::Method::PUT, "/entity", "GET"),
        (reqwest::Method::POST, "/openapi.json", "GET"),
        (reqwest::Method::POST, "/sso.js", "GET, HEAD"),
        (reqwest::Method::GET, "/api/user/info", "POST"),
    ] {
        let r = app
            .http
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            r.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
    }
}

each_store!(
    every_405_says_which_methods_are_allowed,
    a_repeated_parameter_is_refused_everywhere,
    passthrough_parameters_are_validated_on_every_sso_endpoint,
    registration_fields,
    sign_in_fields,
    sso_endpoint_fields,
    unknown_routes_methods_and_bodies,
    garbage_cookies_are_no_session,
);
