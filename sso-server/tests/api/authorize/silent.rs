//! A browser already signed in for the family: a code at once, with no
//! page; unless the client asks the person to prove it again.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;

use super::*;
use crate::backchannel::{receiver, takes_logouts};
use sso_test_support::each_store;

async fn signed_in_on_news_a_standard_client_gets_a_code_with_no_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "silent@example.com").await;
    let jar = Jar::with_session(&cookie);
    // sport federates with news: the news sign-in answers it.
    let r = app.authorize(&request(&SPORT), &jar).await;
    let code = code_of(&app, &r, &SPORT);
    assert!(r.headers().get("set-cookie").is_none(), "nothing changes");

    let tokens = app.redeem_code(&SPORT, &code, &[]).await;
    let id = id_claims(&tokens);
    assert_eq!(id["sub"], user.uuid.as_str());
    assert_eq!(id["aud"], "sport");
    assert_eq!(id["nonce"], "nonce-1");
    assert_eq!(id["email"], "silent@example.com");
    assert!(id["auth_time"].as_i64().unwrap() > 0);
    assert!(id["sid"].as_str().is_some());
    // One use only.
    let again = app
        .http
        .post(app.url("/oauth/token"))
        .basic_auth("sport", Some("sport-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", SPORT.redirect_uri().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

async fn another_family_is_not_signed_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "apart@example.com").await;
    let jar = Jar::with_session(&cookie);
    let none = with(request(&SHOP), "prompt", Some("none"));
    let a = answer(&app.authorize(&none, &jar).await, &SHOP.redirect_uri());
    assert_eq!(a["error"], "login_required");
    assert_eq!(a["state"], "st&te 1");
    assert_eq!(a["iss"], app.settings.issuer());
    assert_eq!(a.get("code"), None);
    // Without prompt=none, shop's person is asked to sign in.
    let html = html_page(app.authorize(&request(&SHOP), &jar).await, StatusCode::OK).await;
    assert!(html.contains("autocomplete=\"current-password\""), "{html}");
}

async fn prompt_none_without_a_session_is_login_required(backend: Backend) {
    let app = spawn_app(backend).await;
    let none = with(request(&NEWS), "prompt", Some("none"));
    let a = answer(
        &app.authorize(&none, &Jar::default()).await,
        &NEWS.redirect_uri(),
    );
    assert_eq!(a["error"], "login_required");
}

async fn prompt_login_and_max_age_ask_the_person_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "again@example.com").await;
    let jar = Jar::with_session(&cookie);
    for (name, value) in [
        ("prompt", "login"),
        ("prompt", "select_account"),
        ("max_age", "0"),
    ] {
        let q = with(request(&NEWS), name, Some(value));
        let html = html_page(app.authorize(&q, &jar).await, StatusCode::OK).await;
        assert!(html.contains("name=\"password\""), "{name}={value}");
        // With prompt=none too, it cannot be silent: login_required.
        if name == "max_age" {
            let q = with(q, "prompt", Some("none"));
            let a = answer(&app.authorize(&q, &jar).await, &NEWS.redirect_uri());
            assert_eq!(a["error"], "login_required");
        }
    }
    // A generous max_age is met by the sign-in of a moment ago.
    let q = with(request(&NEWS), "max_age", Some("3600"));
    code_of(&app, &app.authorize(&q, &jar).await, &NEWS);
    // No consent screen exists: prompt=consent is consent_required.
    let q = with(request(&NEWS), "prompt", Some("consent"));
    let a = answer(&app.authorize(&q, &jar).await, &NEWS.redirect_uri());
    assert_eq!(a["error"], "consent_required");
}

async fn an_id_token_hint_for_someone_else_is_not_answered_silently(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, mine) = app.signed_in_browser(&NEWS, "hint-mine@example.com").await;
    let (_, theirs) = app
        .signed_in_browser(&NEWS, "hint-theirs@example.com")
        .await;
    let r = app
        .authorize(&request(&NEWS), &Jar::with_session(&theirs))
        .await;
    let code = code_of(&app, &r, &NEWS);
    let their_id_token = app.redeem_code(&NEWS, &code, &[]).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = with(request(&NEWS), "id_token_hint", Some(&their_id_token));
    let none = with(q.clone(), "prompt", Some("none"));
    let a = answer(
        &app.authorize(&none, &Jar::with_session(&mine)).await,
        &NEWS.redirect_uri(),
    );
    assert_eq!(a["error"], "login_required");
    // Their own browser is answered at once.
    code_of(
        &app,
        &app.authorize(&q, &Jar::with_session(&theirs)).await,
        &NEWS,
    );
}

async fn response_modes_fragment_and_form_post(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "modes@example.com").await;
    let jar = Jar::with_session(&cookie);
    let q = with(request(&NEWS), "response_mode", Some("fragment"));
    let r = app.authorize(&q, &jar).await;
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://news.localhost:8081/#code="),
        "{location}"
    );
    code_of(&app, &r, &NEWS);

    let q = with(request(&NEWS), "response_mode", Some("form_post"));
    let r = app.authorize(&q, &jar).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' http://news.localhost:8081;"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("action=\"http://news.localhost:8081/\""),
        "{html}"
    );
    assert!(html.contains("<script src=\"/oauth/form_post.js\"></script>"));
    let fields: HashMap<_, _> = hidden_fields(&html).into_iter().collect();
    assert_eq!(fields["state"], "st&te 1");
    assert_eq!(fields["iss"], app.settings.issuer());
    app.redeem_code(&NEWS, &fields["code"], &[]).await;
    let js = app.get("/oauth/form_post.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.text().await.unwrap().contains("submit()"));
}

async fn the_visit_is_recorded_so_sign_out_reaches_the_client(backend: Backend) {
    let logouts = receiver(0).await;
    let app = spawn_app_with(backend, |s| takes_logouts(s, "sport", &logouts.url)).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "visit@example.com").await;
    let jar = Jar::with_session(&cookie);
    let code = code_of(&app, &app.authorize(&request(&SPORT), &jar).await, &SPORT);
    let sid = id_claims(&app.redeem_code(&SPORT, &code, &[]).await)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    // Signing out on news ends the sign-in sport's client used: its
    // backend is told by back channel, and no code comes silently.
    app.end(&NEWS, Some(&cookie)).await;
    let delivered = logouts.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(claims(&delivered[0])["sid"], sid.as_str());
    let none = with(request(&SPORT), "prompt", Some("none"));
    let a = answer(&app.authorize(&none, &jar).await, &SPORT.redirect_uri());
    assert_eq!(a["error"], "login_required");
}

each_store!(
    signed_in_on_news_a_standard_client_gets_a_code_with_no_page,
    another_family_is_not_signed_in,
    prompt_none_without_a_session_is_login_required,
    prompt_login_and_max_age_ask_the_person_again,
    an_id_token_hint_for_someone_else_is_not_answered_silently,
    response_modes_fragment_and_form_post,
    the_visit_is_recorded_so_sign_out_reaches_the_client,
);
