//! The hosted sign-in and create-account pages: a sign-in there is the
//! family's sign-in; the forms are bound to the browser and the request;
//! errors are shown next to their field, in the person's language.

use reqwest::StatusCode;

use super::*;
use sso_test_support::each_store;

const SIGN_IN: &str = "/oauth/authorize/sign-in";
const CREATE: &str = "/oauth/authorize/create";

/// The page's form filled in: its hidden fields and `fields`.
fn filled(html: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = hidden_fields(html);
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

async fn signing_in_on_the_hosted_page_signs_the_family_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "hosted@example.com").await;
    let mut jar = Jar::default();
    let r = app.authorize(&request(&SPORT), &jar).await;
    jar.keep(&r);
    assert!(jar.get("sso_session_form").is_some(), "the form's cookie");
    let html = html_page(r, StatusCode::OK).await;
    let form = filled(
        &html,
        &[("email", "hosted@example.com"), ("password", PASSWORD)],
    );
    let r = app.hosted_post(SIGN_IN, &form, &jar).await;
    jar.keep(&r);
    assert_eq!(r.headers()["set-login"], "logged-in");
    let code = code_of(&app, &r, &SPORT);
    let id = id_claims(&app.redeem_code(&SPORT, &code, &[]).await);
    assert_eq!(id["sub"], user.uuid.as_str());
    assert_eq!(id["nonce"], "nonce-1");
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));

    // The library sites of the family find the session; shop does not.
    let cookie = jar.get("sso_session").expect("the SSO session").to_owned();
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
    assert_eq!(app.check(&SPORT, Some(&cookie)).await.status(), "success");
    assert_eq!(app.check(&SHOP, Some(&cookie)).await.status(), "no_session");
    // And the next standard client of the family needs no page.
    code_of(&app, &app.authorize(&request(&NEWS), &jar).await, &NEWS);
}

async fn a_wrong_password_shows_the_page_again(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "wrong@example.com").await;
    let mut jar = Jar::default();
    let r = app.authorize(&request(&NEWS), &jar).await;
    jar.keep(&r);
    let html = html_page(r, StatusCode::OK).await;
    let form = filled(
        &html,
        &[
            ("email", "wrong@example.com"),
            ("password", "not the password"),
        ],
    );
    let r = app.hosted_post(SIGN_IN, &form, &jar).await;
    assert!(set_cookie(r.headers(), "sso_session").is_none());
    let html = html_page(r, StatusCode::UNAUTHORIZED).await;
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("The email address or password is wrong."));
    assert!(
        html.contains("value=\"wrong@example.com\""),
        "the email is kept"
    );
    // Fields refused by their rules are named next to them.
    let form = filled(&html, &[("email", "not-an-email"), ("password", "")]);
    let html = html_page(
        app.hosted_post(SIGN_IN, &form, &jar).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(html.contains("aria-describedby=\"email-error\""), "{html}");
    assert!(html.contains("id=\"email-error\""));
    assert!(html.contains("id=\"password-error\""));
}

async fn a_form_is_bound_to_its_browser_and_request(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "bound@example.com").await;
    let mut jar = Jar::default();
    let r = app.authorize(&request(&NEWS), &jar).await;
    jar.keep(&r);
    let html = html_page(r, StatusCode::OK).await;
    let creds = [("email", "bound@example.com"), ("password", PASSWORD)];
    let form = filled(&html, &creds);

    // Another browser (no form cookie, or its own) cannot post it.
    let mut other = Jar::default();
    other.keep(&app.authorize(&request(&NEWS), &other).await);
    for jar in [&Jar::default(), &other] {
        let r = app.hosted_post(SIGN_IN, &form, jar).await;
        let html = html_page(r, StatusCode::FORBIDDEN).await;
        assert!(html.contains("This form has expired"), "{html}");
    }
    // The same browser cannot swap the request the form carries.
    for (name, value) in [
        ("state", "another"),
        ("nonce", "another"),
        ("scope", "openid"),
    ] {
        let swapped = with(form.clone(), name, Some(value));
        let r = app.hosted_post(SIGN_IN, &swapped, &jar).await;
        html_page(r, StatusCode::FORBIDDEN).await;
    }
    let swapped = with(form.clone(), "form_token", Some("AAAAAAAAAAAAAAAAAAAAAA"));
    html_page(
        app.hosted_post(SIGN_IN, &swapped, &jar).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A redirect URI the client did not register is a page, never a redirect.
    let evil = with(form, "redirect_uri", Some("http://evil.localhost/"));
    let html = html_page(
        app.hosted_post(SIGN_IN, &evil, &jar).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(html.contains("url_not_registered"), "{html}");
}

async fn creating_an_account_signs_the_family_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut jar = Jar::default();
    let q = with(request(&NEWS), "prompt", Some("create"));
    let r = app.authorize(&q, &jar).await;
    jar.keep(&r);
    let html = html_page(r, StatusCode::OK).await;
    assert!(html.contains("autocomplete=\"new-password\""), "{html}");
    assert!(html.contains(&format!("action=\"{CREATE}\"")));
    let form = filled(
        &html,
        &[
            ("display_name", "Grace"),
            ("email", "created@example.com"),
            ("password", PASSWORD),
            ("keep_me_logged_in", "true"),
        ],
    );
    let r = app.hosted_post(CREATE, &form, &jar).await;
    let session = set_cookie(r.headers(), "sso_session").expect("a session");
    assert!(session.max_age().is_some(), "kept signed in: persistent");
    let code = code_of(&app, &r, &NEWS);
    let id = id_claims(&app.redeem_code(&NEWS, &code, &[]).await);
    assert_eq!(id["email"], "created@example.com");
    assert_eq!(id["name"], "Grace");
    // The same email again: the error is next to the email field.
    let r = app.hosted_post(CREATE, &form, &jar).await;
    let html = html_page(r, StatusCode::CONFLICT).await;
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("already exists"));
    // The account signs in through the registration API too.
    assert_eq!(
        app.sign_in(&NEWS, "created@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn attempts_are_throttled_as_the_registration_api(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.rate_limit.attempts_per_ip = 2).await;
    let mut jar = Jar::default();
    let r = app.authorize(&request(&NEWS), &jar).await;
    jar.keep(&r);
    let html = html_page(r, StatusCode::OK).await;
    let form = filled(
        &html,
        &[("email", "nobody@example.com"), ("password", "whatever1")],
    );
    for _ in 0..2 {
        let r = app.hosted_post(SIGN_IN, &form, &jar).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.hosted_post(SIGN_IN, &form, &jar).await;
    assert!(r.headers().get("retry-after").is_some());
    let html = html_page(r, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(html.contains("Too many attempts"), "{html}");
}

async fn pages_speak_the_asked_language_and_label_every_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let q = with(request(&NEWS), "ui_locales", Some("fi sv-FI en"));
    let html = html_page(app.authorize(&q, &Jar::default()).await, StatusCode::OK).await;
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    assert!(html.contains("Logga in"));
    let q = with(
        with(request(&NEWS), "prompt", Some("create")),
        "login_hint",
        Some("hint@example.com"),
    );
    let html = html_page(app.authorize(&q, &Jar::default()).await, StatusCode::OK).await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        html.contains("value=\"hint@example.com\""),
        "login_hint fills the email"
    );
    for id in ["display_name", "email", "password", "keep"] {
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "{id}: {html}"
        );
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

async fn a_public_client_must_use_pkce(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let id = sso_core::domain::ClientId::parse("news").unwrap();
        s.clients.get_mut(&id).unwrap().secret_hash = None;
    })
    .await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "pkce@example.com").await;
    let jar = Jar::with_session(&cookie);
    let a = answer(
        &app.authorize(&request(&NEWS), &jar).await,
        &NEWS.redirect_uri(),
    );
    assert_eq!(a["error"], "invalid_request");
    assert!(a["error_description"].contains("PKCE"), "{a:?}");
    // RFC 7636 appendix B's pair.
    let q = with(
        with(
            request(&NEWS),
            "code_challenge",
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ),
        "code_challenge_method",
        Some("S256"),
    );
    let code = code_of(&app, &app.authorize(&q, &jar).await, &NEWS);
    let r = app
        .http
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "news"),
            ("code", code.as_str()),
            ("redirect_uri", NEWS.redirect_uri().as_str()),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

each_store!(
    signing_in_on_the_hosted_page_signs_the_family_in,
    a_wrong_password_shows_the_page_again,
    a_form_is_bound_to_its_browser_and_request,
    creating_an_account_signs_the_family_in,
    attempts_are_throttled_as_the_registration_api,
    pages_speak_the_asked_language_and_label_every_field,
    a_public_client_must_use_pkce,
);
