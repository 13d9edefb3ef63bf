//! `/oauth/logout`, OpenID Connect RP-Initiated Logout: a hint for the
//! browser's current sign-in ends it at once (family-wide, back channel
//! included) and goes back to a registered URI with `state`; anything less
//! asks the person on a page whose form alone can end it; a bad request is
//! a page, never a redirect.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::backchannel::{claims, receiver, takes_logouts};
use crate::helpers::*;
use sso_test_support::each_store;

const BACK: &str = "http://news.localhost:8081/logout.html";

impl TestApp {
    /// The ID token news's backend gets for a check in this browser.
    async fn news_id_token_text(&self, cookie: &str) -> String {
        let params = with(NEWS.check_params(), "response_type", Some("code"));
        let d = delivery(&self.sso("/sso/check", &params, Some(cookie), &[]).await);
        let code = d.result["result"]["code"].as_str().unwrap().to_owned();
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth("news", Some("news-secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", NEWS.receiver().as_str()),
            ])
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        body["id_token"].as_str().unwrap().to_owned()
    }

    async fn logout(&self, query: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut req = self.http.get(self.url("/oauth/logout")).query(query);
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sso_session={c}"));
        }
        req.send().await.unwrap()
    }

    async fn logout_form(&self, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut req = self.http.post(self.url("/oauth/logout")).form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sso_session={c}"));
        }
        req.send().await.unwrap()
    }

    async fn signed_in_on(&self, site: &Site, cookie: &str) -> bool {
        self.check(site, Some(cookie)).await.status() == "success"
    }
}

/// A page of the server: HTML that cannot be framed and runs no script.
async fn page(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert!(response.headers().get("location").is_none());
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script"), "{html}");
    html
}

/// The hidden `confirm` of the confirmation page.
fn confirm_of(html: &str) -> String {
    let at = html
        .find("name=\"confirm\" value=\"")
        .expect("a confirm field")
        + 22;
    html[at..].split('"').next().unwrap().to_owned()
}

async fn a_hint_for_the_current_sign_in_ends_it_at_once(backend: Backend) {
    let logouts = receiver(0).await;
    let app = spawn_app_with(backend, |s| takes_logouts(s, "sport", &logouts.url)).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "rp-logout@example.com").await;
    assert!(app.signed_in_on(&SPORT, &cookie).await);
    let hint = app.news_id_token_text(&cookie).await;
    let sid = claims(&hint)["sid"].as_str().unwrap().to_owned();

    let r = app
        .logout(
            &[
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", BACK),
                ("state", "s&t ate"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("{BACK}?state=s%26t+ate"));
    let removal = set_cookie(r.headers(), "sso_session").expect("the cookie is removed");
    assert_eq!(removal.value(), "");
    assert_eq!(r.headers()["set-login"], "logged-out");

    // The family is signed out, and sport's backend is told of that sign-in.
    assert!(!app.signed_in_on(&NEWS, &cookie).await);
    assert!(!app.signed_in_on(&SPORT, &cookie).await);
    let delivered = logouts.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(claims(&delivered[0])["sid"], sid.as_str());
}

async fn without_a_hint_the_person_confirms_on_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "rp-confirm@example.com").await;
    let query = [
        ("client_id", "news"),
        ("post_logout_redirect_uri", BACK),
        ("state", "st-1"),
    ];
    let html = page(app.logout(&query, Some(&cookie)).await, StatusCode::OK).await;
    assert!(html.contains("rp-confirm@example.com"), "{html}");
    let confirm = confirm_of(&html);
    assert!(app.signed_in_on(&NEWS, &cookie).await, "nothing ended yet");

    // The token in a URL is not the form: asked again, nothing ends.
    let again = [query.as_slice(), &[("confirm", confirm.as_str())]].concat();
    page(app.logout(&again, Some(&cookie)).await, StatusCode::OK).await;
    assert!(app.signed_in_on(&NEWS, &cookie).await);
    // A made-up token, posted: refused.
    let forged = [query.as_slice(), &[("confirm", "AAAAAAAAAAAAAAAAAAAAAA")]].concat();
    page(
        app.logout_form(&forged, Some(&cookie)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(app.signed_in_on(&NEWS, &cookie).await);

    let r = app.logout_form(&again, Some(&cookie)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("{BACK}?state=st-1"));
    assert!(!app.signed_in_on(&NEWS, &cookie).await);
}

async fn the_pages_speak_the_asked_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "rp-sv@example.com").await;
    let query = [("client_id", "news"), ("ui_locales", "sv-FI en")];
    let html = page(app.logout(&query, Some(&cookie)).await, StatusCode::OK).await;
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    assert!(html.contains("Logga ut"), "{html}");
    // The language goes on with the confirmation.
    assert!(
        html.contains("name=\"ui_locales\" value=\"sv-FI en\""),
        "{html}"
    );
    let confirm = confirm_of(&html);
    let confirmed = [query.as_slice(), &[("confirm", confirm.as_str())]].concat();
    let html = page(
        app.logout_form(&confirmed, Some(&cookie)).await,
        StatusCode::OK,
    )
    .await;
    assert!(html.contains("Du är utloggad"), "{html}");
}

async fn a_hint_for_another_sign_in_asks_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, mine) = app.signed_in_browser(&NEWS, "rp-mine@example.com").await;
    let (_, theirs) = app.signed_in_browser(&NEWS, "rp-theirs@example.com").await;
    let their_hint = app.news_id_token_text(&theirs).await;
    let r = app
        .logout(&[("id_token_hint", &their_hint)], Some(&mine))
        .await;
    let html = page(r, StatusCode::OK).await;
    assert!(html.contains("rp-mine@example.com"));
    assert!(app.signed_in_on(&NEWS, &mine).await);
    assert!(app.signed_in_on(&NEWS, &theirs).await);
}

async fn nobody_signed_in_goes_straight_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .logout(
            &[("client_id", "news"), ("post_logout_redirect_uri", BACK)],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], BACK);
    let html = page(
        app.logout(&[("client_id", "news")], None).await,
        StatusCode::OK,
    )
    .await;
    assert!(html.contains("signed out"), "{html}");
}

async fn bad_requests_are_pages_never_redirects(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "rp-bad@example.com").await;
    let hint = app.news_id_token_text(&cookie).await;
    let foreign = sso_core::oidc::SigningKeys::generate().sign(&claims(&hint));
    let long = "x".repeat(1025);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("client_id", "news"),
                ("post_logout_redirect_uri", "http://evil.localhost/"),
            ],
            "url_not_registered",
        ),
        // Another client's registered URI is not this client's.
        (
            vec![
                ("client_id", "news"),
                (
                    "post_logout_redirect_uri",
                    "http://sport.localhost:8082/logout.html",
                ),
            ],
            "url_not_registered",
        ),
        (
            vec![
                ("id_token_hint", &foreign),
                ("post_logout_redirect_uri", BACK),
            ],
            "invalid_argument",
        ),
        (vec![("id_token_hint", "not.a.token")], "invalid_argument"),
        (
            vec![("id_token_hint", &hint), ("client_id", "sport")],
            "invalid_argument",
        ),
        (vec![("post_logout_redirect_uri", BACK)], "missing_argument"),
        (
            vec![("client_id", "nobody"), ("post_logout_redirect_uri", BACK)],
            "unknown_client",
        ),
        (
            vec![
                ("client_id", "news"),
                ("post_logout_redirect_uri", BACK),
                ("state", &long),
            ],
            "invalid_argument",
        ),
        (
            vec![("client_id", "news"), ("client_id", "news")],
            "invalid_argument",
        ),
    ];
    for (query, error) in cases {
        let r = app.logout(&query, Some(&cookie)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query:?}");
        let html = page(r, StatusCode::BAD_REQUEST).await;
        assert!(html.contains(error), "{query:?}: {html}");
    }
    assert!(app.signed_in_on(&NEWS, &cookie).await, "nothing ended");
    let r = app.http.put(app.url("/oauth/logout")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

async fn discovery_names_the_end_session_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["end_session_endpoint"], app.url("/oauth/logout"));
}

each_store!(
    a_hint_for_the_current_sign_in_ends_it_at_once,
    without_a_hint_the_person_confirms_on_a_page,
    a_hint_for_another_sign_in_asks_first,
    the_pages_speak_the_asked_language,
    nobody_signed_in_goes_straight_back,
    bad_requests_are_pages_never_redirects,
    discovery_names_the_end_session_endpoint,
);
