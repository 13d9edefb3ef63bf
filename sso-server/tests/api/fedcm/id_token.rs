//! FedCM for a site without the library: with no `params.query`, the
//! assertion is an ID token for the client, with the site's nonce, that
//! verifies against the JWKS; the account must be signed in here for the
//! client's family, and its sign-out reaches the client's back channel.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::from_origin;
use crate::backchannel::{claims, receiver, takes_logouts};
use crate::helpers::*;
use sso_test_support::each_store;

/// The form a site's own `navigator.credentials.get` makes the browser post.
fn site_form(site: &Site, account: &str, params: Option<Value>) -> Vec<(String, String)> {
    let mut form = vec![
        ("client_id".to_owned(), site.id.to_owned()),
        ("account_id".to_owned(), account.to_owned()),
        ("disclosure_text_shown".to_owned(), "false".to_owned()),
    ];
    if let Some(params) = params {
        form.push(("params".to_owned(), params.to_string()));
    }
    form
}

impl TestApp {
    /// The ID token the assertion endpoint hands `site`.
    async fn fedcm_id_token(&self, form: &[(String, String)], cookie: &str, site: &Site) -> String {
        let answer = self
            .fedcm_assertion(form, Some(cookie), &from_origin(site.origin))
            .await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["access-control-allow-origin"], site.origin);
        let body: Value = answer.json().await.unwrap();
        body["token"].as_str().expect("a token").to_owned()
    }
}

async fn a_site_without_the_library_gets_a_verifiable_id_token(backend: Backend) {
    let logouts = receiver(0).await;
    let app = spawn_app_with(backend, |s| takes_logouts(s, "sport", &logouts.url)).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "fedcm-any@example.com").await;

    // Chrome 143 and later: the nonce inside `params`.
    let form = site_form(&SPORT, &user.uuid, Some(json!({ "nonce": "n-params" })));
    let token = app.fedcm_id_token(&form, &cookie, &SPORT).await;
    let id_token = app.verify_id_token(&token, "sport").await;
    assert_eq!(id_token.sub, user.uuid);
    assert_eq!(id_token.aud, "sport");
    assert_eq!(id_token.nonce.as_deref(), Some("n-params"));
    assert_eq!(id_token.email.as_deref(), Some("fedcm-any@example.com"));
    let sid = id_token.sid.expect("the sign-in's sid");

    // Earlier browsers: the top-level nonce; no `params` at all.
    let form = with(site_form(&SPORT, &user.uuid, None), "nonce", Some("n-top"));
    let token = app.fedcm_id_token(&form, &cookie, &SPORT).await;
    let id_token = app.verify_id_token(&token, "sport").await;
    assert_eq!(id_token.nonce.as_deref(), Some("n-top"));
    assert_eq!(id_token.sid.as_deref(), Some(sid.as_str()));

    // Signing out on news reaches sport's back channel, for that sign-in.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    let delivered = logouts.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(delivered.len(), 1, "one logout token for sport");
    assert_eq!(claims(&delivered[0])["sid"], sid.as_str());
}

async fn only_an_account_signed_in_here_for_the_family_gets_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "fedcm-who@example.com").await;
    let other = app.sign_up(&NEWS, "fedcm-other@example.com").await;
    let refused = |form: Vec<(String, String)>, cookie: Option<String>, site: &'static Site| {
        let app = &app;
        async move {
            let answer = app
                .fedcm_assertion(&form, cookie.as_deref(), &from_origin(site.origin))
                .await;
            assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
            let body: Value = answer.json().await.unwrap();
            assert!(body.get("token").is_none(), "{body}");
            body["error_description"].as_str().unwrap().to_owned()
        }
    };
    // Someone not signed in in this browser; no cookie; shop, another family.
    let why = refused(
        site_form(&SPORT, &other.uuid, None),
        Some(cookie.clone()),
        &SPORT,
    )
    .await;
    assert!(why.contains("account_id"), "{why}");
    let why = refused(site_form(&SPORT, &user.uuid, None), None, &SPORT).await;
    assert!(why.contains("account_id"), "{why}");
    let why = refused(
        site_form(&SHOP, &user.uuid, None),
        Some(cookie.clone()),
        &SHOP,
    )
    .await;
    assert!(why.contains("account_id"), "{why}");
    // A nonce that is not one, in either place.
    let form = site_form(&SPORT, &user.uuid, Some(json!({ "nonce": 5 })));
    let why = refused(form, Some(cookie.clone()), &SPORT).await;
    assert!(why.contains("params"), "{why}");
    let form = with(
        site_form(&SPORT, &user.uuid, None),
        "nonce",
        Some("a nonce"),
    );
    let why = refused(form, Some(cookie.clone()), &SPORT).await;
    assert!(why.contains("nonce"), "{why}");
}

async fn a_client_requiring_a_confirmed_address_gets_no_token_for_anyone_else(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let sport = sso_core::domain::ClientId::parse("sport").unwrap();
        s.clients.get_mut(&sport).unwrap().require_verified_email = true;
    })
    .await;
    let email = "fedcm-unconfirmed@example.com";
    let (user, cookie) = app.signed_in_browser(&NEWS, email).await;
    let form = site_form(&SPORT, &user.uuid, None);
    let answer = app
        .fedcm_assertion(&form, Some(&cookie), &from_origin(SPORT.origin))
        .await;
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let body: Value = answer.json().await.unwrap();
    assert!(body.get("token").is_none(), "{body}");
    assert!(body.to_string().contains("email_not_verified"), "{body}");
    // Confirmed, the same browser gets its token.
    let change = sso_core::store::UserChange::VerifyEmail {
        email_normalized: email.to_owned(),
    };
    let id = sso_core::domain::UserId::parse(&user.uuid).unwrap();
    app.store.update_user(id, change).await.unwrap();
    let token = app.fedcm_id_token(&form, &cookie, &SPORT).await;
    assert_eq!(app.verify_id_token(&token, "sport").await.sub, user.uuid);
}

each_store!(
    a_site_without_the_library_gets_a_verifiable_id_token,
    only_an_account_signed_in_here_for_the_family_gets_one,
    a_client_requiring_a_confirmed_address_gets_no_token_for_anyone_else,
);
