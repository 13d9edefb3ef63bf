//! Passkeys on the server's own pages: the hosted sign-in page (its
//! script posts the browser's answer with the page's bound form) and
//! "Your passkeys", where a signed-in browser renames and deletes them.

use reqwest::StatusCode;

use super::{form, person_with_passkey, spawn};
use crate::authorize::{Jar, code_of, hidden_fields, html_page, id_claims, request};
use crate::helpers::*;
use sso_test_support::{Authenticator, Backend, each_store};

const SIGN_IN: &str = "/oauth/authorize/sign-in";

/// The hosted sign-in page for `site` in a new browser: its jar and form.
async fn sign_in_page(app: &TestApp, site: &Site) -> (Jar, Vec<(String, String)>) {
    let mut jar = Jar::default();
    let r = app.authorize(&request(site), &jar).await;
    jar.keep(&r);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    let html = html_page(r, StatusCode::OK).await;
    assert!(
        html.contains(r#"autocomplete="username webauthn""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-passkey-challenge="/oauth/authorize/passkey""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<script src="/account/passkeys.js"></script>"#),
        "{html}"
    );
    (jar, hidden_fields(&html))
}

/// The page's form with the answer of `key` to a fresh challenge.
async fn answered(
    app: &TestApp,
    key: &mut Authenticator,
    mut fields: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let own = app.own_origin();
    let r = app
        .post_as("/oauth/authorize/passkey", &[], &[("origin", own.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let challenge: serde_json::Value = r.json().await.unwrap();
    key.origin = own;
    let answer = key.get(&challenge["options"]).to_string();
    fields.retain(|(k, _)| !k.starts_with("passkey_"));
    fields.push((
        "passkey_ceremony".into(),
        challenge["ceremony"].as_str().unwrap().into(),
    ));
    fields.push(("passkey_credential".into(), answer));
    fields
}

async fn a_passkey_signs_in_on_the_hosted_page_without_a_password(backend: Backend) {
    let app = spawn(backend).await;
    let (person, _, mut key) = person_with_passkey(&app, "hosted-pk@example.com").await;
    let (mut jar, fields) = sign_in_page(&app, &SPORT).await;
    let fields = answered(&app, &mut key, fields).await;
    let r = app.hosted_post(SIGN_IN, &fields, &jar).await;
    jar.keep(&r);
    let code = code_of(&app, &r, &SPORT);
    let id = id_claims(&app.redeem_code(&SPORT, &code, &[]).await);
    assert_eq!(id["sub"], person.uuid.as_str());
    // RFC 8176: possession of a key, and the device's check of the person.
    assert_eq!(id["amr"], serde_json::json!(["pop", "mfa"]));
    // The family is signed in, as after a password.
    let cookie = jar.get("sso_session").expect("the SSO session").to_owned();
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
    // The stored sign-in remembers how it was made: a silent code for
    // another client of the family says the same.
    let silent = code_of(&app, &app.authorize(&request(&NEWS), &jar).await, &NEWS);
    let id = id_claims(&app.redeem_code(&NEWS, &silent, &[]).await);
    assert_eq!(id["amr"], serde_json::json!(["pop", "mfa"]));

    // The challenge is for the server's own pages only.
    let foreign = app
        .post_as("/oauth/authorize/passkey", &[], &[("origin", NEWS.origin)])
        .await;
    assert_error(foreign, StatusCode::FORBIDDEN, "origin_not_allowed").await;
}

async fn a_refused_passkey_shows_the_page_again(backend: Backend) {
    let app = spawn(backend).await;
    let (_, _, mut key) = person_with_passkey(&app, "refused-pk@example.com").await;
    let (jar, fields) = sign_in_page(&app, &NEWS).await;
    key.verifies_user = false;
    let fields = answered(&app, &mut key, fields).await;
    let r = app.hosted_post(SIGN_IN, &fields, &jar).await;
    assert!(set_cookie(r.headers(), "sso_session").is_none());
    let html = html_page(r, StatusCode::UNAUTHORIZED).await;
    assert!(html.contains("That passkey was not accepted."), "{html}");
    // Garbage in the answer field: the same page, never a 500.
    let (jar, mut fields) = sign_in_page(&app, &NEWS).await;
    fields.retain(|(k, _)| !k.starts_with("passkey_"));
    fields.push(("passkey_credential".into(), "{not json".into()));
    let r = app.hosted_post(SIGN_IN, &fields, &jar).await;
    html_page(r, StatusCode::UNAUTHORIZED).await;
}

async fn your_passkeys_are_listed_renamed_and_deleted_on_the_servers_page(backend: Backend) {
    let app = spawn(backend).await;
    let (_, cookie, key) = person_with_passkey(&app, "page-pk@example.com").await;
    let session = format!("sso_session={cookie}");
    let page = |cookie: Option<String>| {
        let mut r = app
            .http
            .get(app.url("/account/passkeys"))
            .query(&[("client_id", "news")]);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.send()
    };
    let html = html_page(page(Some(session.clone())).await.unwrap(), StatusCode::OK).await;
    assert!(
        html.contains(&format!(r#"data-id="{}""#, key.credential_id())),
        "{html}"
    );
    assert!(html.contains(r#"value="Laptop""#), "{html}");
    assert!(html.contains("Not used yet"), "{html}");
    let html = html_page(page(None).await.unwrap(), StatusCode::OK).await;
    assert!(html.contains("You are not signed in here."), "{html}");

    let own = app.own_origin();
    let id = key.credential_id();
    let headers = [("origin", own.as_str()), ("cookie", session.as_str())];
    let rename = form(&[("client_id", "news"), ("id", &id), ("name", "Work laptop")]);
    let r = app
        .post_as("/account/passkeys/rename", &rename, &headers)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = html_page(page(Some(session.clone())).await.unwrap(), StatusCode::OK).await;
    assert!(html.contains(r#"value="Work laptop""#), "{html}");
    // Another site's page cannot act with the person's cookie.
    let foreign = [("origin", NEWS.origin), ("cookie", session.as_str())];
    let delete = form(&[("client_id", "news"), ("id", &id)]);
    let r = app
        .post_as("/account/passkeys/delete", &delete, &foreign)
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let r = app
        .post_as("/account/passkeys/delete", &delete, &headers)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = html_page(page(Some(session)).await.unwrap(), StatusCode::OK).await;
    assert!(html.contains("You have no passkeys yet."), "{html}");
}

async fn without_a_host_name_there_are_no_passkeys(backend: Backend) {
    // The suite's default server is on 127.0.0.1: WebAuthn has no
    // relying party for an IP address.
    let app = spawn_app(backend).await;
    assert_error(
        app.get("/.well-known/webauthn").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .post_as(
            "/oauth/passkey_challenge",
            &form(&[("client_id", "news")]),
            &[],
        )
        .await;
    let body = assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("host name"),
        "{body}"
    );
    let mut jar = Jar::default();
    let r = app.authorize(&request(&NEWS), &jar).await;
    jar.keep(&r);
    let html = html_page(r, StatusCode::OK).await;
    assert!(
        !html.contains("webauthn") && !html.contains("<script"),
        "{html}"
    );
}

each_store!(
    a_passkey_signs_in_on_the_hosted_page_without_a_password,
    a_refused_passkey_shows_the_page_again,
    your_passkeys_are_listed_renamed_and_deleted_on_the_servers_page,
    without_a_host_name_there_are_no_passkeys,
);
