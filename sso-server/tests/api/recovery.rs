//! What a person does by mail, through a real SMTP server (the test's own
//! sink): the verification link of a new account, "forgot password" in the
//! registration API and on the hosted pages, and what a reset ends.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::authorize::id_claims;
use crate::helpers::*;
use mail_sink::Mail;
use sso_test_support::each_store;

const NEW_PASSWORD: &str = "a brand new passphrase";

impl TestApp {
    /// The newest mail to `to` once it has more than `seen`.
    async fn mail(&self, to: &str, seen: usize) -> Mail {
        self.inbox
            .wait_for(to, seen, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no mail to {to}; inbox: {:?}", self.inbox.mails()))
    }

    async fn forgot(&self, site: &Site, email: &str) -> Response {
        let form = [("client_id", site.id), ("email", email)].map(|(k, v)| (k.into(), v.into()));
        self.post_form("/oauth/forgot_password", &form).await
    }

    async fn reset(&self, site: &Site, token: &str, password: &str) -> Response {
        let form = [
            ("client_id", site.id),
            ("token", token),
            ("new_password", password),
        ]
        .map(|(k, v)| (k.into(), v.into()));
        self.post_form("/oauth/reset_password", &form).await
    }

    async fn entity(&self, token: &str) -> Value {
        let r = self.http.get(self.url("/entity")).bearer_auth(token);
        r.send().await.unwrap().json().await.unwrap()
    }
}

/// The `token` of the link to `path` in the newest mail to `to` that has
/// one (mails are sent in the background, so they may arrive in any order).
pub async fn link_token(app: &TestApp, to: &str, path: &str) -> String {
    let prefix = app.url(path);
    for _ in 0..200 {
        if let Some(link) = app
            .inbox
            .to(to)
            .iter()
            .rev()
            .find_map(|m| m.link(&prefix).map(str::to_owned))
        {
            let url = url::Url::parse(&link).unwrap();
            let token = url.query_pairs().find(|(k, _)| k == "token").unwrap().1;
            return token.into_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no {path} link mailed to {to}; inbox: {:?}",
        app.inbox.mails()
    );
}

async fn a_new_account_is_mailed_a_link_that_verifies_its_address_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "verify@example.com").await;
    assert_eq!(user.body["capture_user"]["emailVerified"], false);

    let mail = app.mail("verify@example.com", 0).await;
    assert_eq!(mail.subject, "Confirm your email address");
    assert!(mail.text.contains("Hello Test User"), "{}", mail.text);
    let token = link_token(&app, "verify@example.com", "/account/verify").await;
    // Opening the link spends nothing (mail scanners open links): a form.
    let page = app.get(&format!("/account/verify?token={token}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&token));
    assert_eq!(
        app.entity(&user.access_token).await["result"]["emailVerified"],
        false
    );

    let form = [("token".to_owned(), token.clone())];
    let done = app.post_form("/account/verify", &form).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("Your email address is confirmed")
    );
    assert_eq!(
        app.entity(&user.access_token).await["result"]["emailVerified"],
        true
    );

    let again = app.post_form("/account/verify", &form).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "a link works once");
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("This link does not work")
    );
}

async fn id_tokens_and_userinfo_say_whether_the_email_is_verified(backend: Backend) {
    let app = spawn_app(backend).await;
    let code_of = |body: &Value| body["authorization_code"].as_str().unwrap().to_owned();
    let first = app
        .sign_up_with(&NEWS, "claims@example.com", &[("response_type", "code")])
        .await;
    let tokens = app.redeem_code(&NEWS, &code_of(&first.body), &[]).await;
    assert_eq!(id_claims(&tokens)["email"], "claims@example.com");
    assert_eq!(id_claims(&tokens)["email_verified"], false);

    let token = link_token(&app, "claims@example.com", "/account/verify").await;
    let verified = app
        .post_form("/account/verify", &[("token".into(), token)])
        .await;
    assert_eq!(verified.status(), StatusCode::OK);

    let mut form = NEWS.form();
    form.push(("signInEmailAddress".into(), "claims@example.com".into()));
    form.push(("currentPassword".into(), PASSWORD.into()));
    form.push(("response_type".into(), "code".into()));
    let again = app.post_form("/oauth/auth_native_traditional", &form).await;
    let body: Value = again.json().await.unwrap();
    let tokens = app.redeem_code(&NEWS, &code_of(&body), &[]).await;
    assert_eq!(id_claims(&tokens)["email_verified"], true);
    let info: Value = app
        .http
        .get(app.url("/oauth/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["email_verified"], true, "{info}");
}

async fn forgot_password_answers_the_same_whether_or_not_an_account_has_the_address(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "known@example.com").await;
    app.mail("known@example.com", 0).await; // the verification mail

    let known = app.forgot(&NEWS, "known@example.com").await;
    let unknown = app.forgot(&NEWS, "nobody@example.com").await;
    assert_eq!(known.status(), StatusCode::OK);
    assert_eq!(unknown.status(), StatusCode::OK);
    let (known, unknown): (Value, Value) =
        (known.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(known, unknown);

    let mail = app.mail("known@example.com", 1).await;
    assert_eq!(mail.subject, "Reset your password");
    // The unknown address's request was handled before the known one's
    // mail arrived (one worker queue); nothing went to it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.inbox.to("nobody@example.com").is_empty());
}

async fn a_reset_sets_the_password_once_and_signs_the_person_out_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "reset@example.com").await;
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
    assert_eq!(
        app.forgot(&NEWS, "reset@example.com").await.status(),
        StatusCode::OK
    );
    let token = link_token(&app, "reset@example.com", "/account/reset").await;

    // A refused password (the address itself) does not spend the link.
    let refused = app.reset(&NEWS, &token, "reset@example.com").await;
    assert_error(refused, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let done = app.reset(&NEWS, &token, NEW_PASSWORD).await;
    assert_eq!(done.status(), StatusCode::OK);
    let body: Value = done.json().await.unwrap();
    assert_eq!(body["sessions_ended"], 1, "{body}");

    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "no_session");
    assert_eq!(
        app.entity_status(&user.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let old = app.sign_in(&NEWS, "reset@example.com", PASSWORD).await;
    assert_error(old, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let new = app.sign_in(&NEWS, "reset@example.com", NEW_PASSWORD).await;
    assert_eq!(new.status(), StatusCode::OK);

    let replay = app.reset(&NEWS, &token, "yet another passphrase").await;
    assert_error(replay, StatusCode::BAD_REQUEST, "link_invalid").await;
    let still = app.sign_in(&NEWS, "reset@example.com", NEW_PASSWORD).await;
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "a replayed link changed nothing"
    );
}

async fn a_link_works_only_for_its_purpose_and_its_person(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "alice@example.com").await;
    app.sign_up(&NEWS, "bob@example.com").await;
    let verify = link_token(&app, "alice@example.com", "/account/verify").await;
    // A verification link is no reset link.
    let wrong_kind = app.reset(&NEWS, &verify, NEW_PASSWORD).await;
    assert_error(wrong_kind, StatusCode::BAD_REQUEST, "link_invalid").await;
    for forged in ["x", &"A".repeat(43), &format!("{verify}A")] {
        let r = app.reset(&NEWS, forged, NEW_PASSWORD).await;
        assert_error(r, StatusCode::BAD_REQUEST, "link_invalid").await;
    }
    // Alice's reset link changes Alice, never Bob.
    app.forgot(&NEWS, "alice@example.com").await;
    let reset = link_token(&app, "alice@example.com", "/account/reset").await;
    assert_eq!(
        app.reset(&NEWS, &reset, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let bob = app.sign_in(&NEWS, "bob@example.com", PASSWORD).await;
    assert_eq!(bob.status(), StatusCode::OK);
    let bob_new = app.sign_in(&NEWS, "bob@example.com", NEW_PASSWORD).await;
    assert_error(bob_new, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

async fn an_expired_reset_link_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.email.as_mut().unwrap().reset_ttl = Duration::from_secs(1);
    })
    .await;
    app.sign_up(&NEWS, "late@example.com").await;
    app.forgot(&NEWS, "late@example.com").await;
    let token = link_token(&app, "late@example.com", "/account/reset").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = app.reset(&NEWS, &token, NEW_PASSWORD).await;
    assert_error(late, StatusCode::BAD_REQUEST, "link_invalid").await;
}

async fn forgot_password_is_throttled_per_address_known_or_not(backend: Backend) {
    let app = spawn_app(backend).await;
    for email in ["someone@example.com", "no-account@example.com"] {
        for _ in 0..3 {
            assert_eq!(app.forgot(&NEWS, email).await.status(), StatusCode::OK);
        }
        let fourth = app.forgot(&NEWS, email).await;
        assert!(fourth.headers().contains_key("retry-after"));
        assert_error(fourth, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
}

async fn without_email_there_is_no_reset(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.email = None).await;
    let r = app.forgot(&NEWS, "someone@example.com").await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        app.get("/account/forgot").await.status(),
        StatusCode::NOT_FOUND
    );
    let user = app.sign_up(&NEWS, "quiet@example.com").await;
    assert_eq!(user.body["capture_user"]["emailVerified"], false);
}

async fn forgot_password_refuses_bad_input_and_foreign_origins(backend: Backend) {
    let app = spawn_app(backend).await;
    let bad = app.forgot(&NEWS, "not an address").await;
    assert_error(bad, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let none = app
        .post_form(
            "/oauth/forgot_password",
            &[("client_id".into(), "news".into())],
        )
        .await;
    assert_error(none, StatusCode::BAD_REQUEST, "missing_argument").await;
    let foreign = app
        .http
        .post(app.url("/oauth/forgot_password"))
        .header("origin", "https://evil.example")
        .form(&[("client_id", "news"), ("email", "a@example.com")])
        .send()
        .await
        .unwrap();
    assert_error(foreign, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let short = app.reset(&NEWS, &"A".repeat(43), "short").await;
    assert_error(short, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

async fn a_person_asks_for_a_new_verification_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "again@example.com").await;
    let resend = || {
        app.http
            .post(app.url("/entity/email/verification"))
            .bearer_auth(&user.access_token)
            .header("accept-language", "sv-SE,sv;q=0.9,en;q=0.5")
            .send()
    };
    let first = resend().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        first.json::<Value>().await.unwrap()["email_verified"],
        false
    );
    let mail = app.mail("again@example.com", 1).await;
    let swedish = app.inbox.to("again@example.com");
    assert!(
        swedish
            .iter()
            .any(|m| m.subject == "Bekräfta din e-postadress"),
        "the browser's language: {mail:?}"
    );
    // Three per address per hour.
    for _ in 0..2 {
        assert_eq!(resend().await.unwrap().status(), StatusCode::OK);
    }
    let limited = resend().await.unwrap();
    assert_error(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Once verified, nothing more is sent.
    let token = link_token(&app, "again@example.com", "/account/verify").await;
    let verified = app
        .post_form("/account/verify", &[("token".into(), token)])
        .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let other = app.sign_up(&NEWS, "done@example.com").await;
    let token = link_token(&app, "done@example.com", "/account/verify").await;
    app.post_form("/account/verify", &[("token".into(), token)])
        .await;
    let done = app
        .http
        .post(app.url("/entity/email/verification"))
        .bearer_auth(&other.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(done.json::<Value>().await.unwrap()["email_verified"], true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.inbox.to("done@example.com").len(),
        1,
        "no mail for a verified address"
    );
    let anonymous = app
        .http
        .post(app.url("/entity/email/verification"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
}

each_store!(
    a_person_asks_for_a_new_verification_link,
    a_new_account_is_mailed_a_link_that_verifies_its_address_once,
    id_tokens_and_userinfo_say_whether_the_email_is_verified,
    forgot_password_answers_the_same_whether_or_not_an_account_has_the_address,
    a_reset_sets_the_password_once_and_signs_the_person_out_everywhere,
    a_link_works_only_for_its_purpose_and_its_person,
    an_expired_reset_link_is_refused,
    forgot_password_is_throttled_per_address_known_or_not,
    without_email_there_is_no_reset,
    forgot_password_refuses_bad_input_and_foreign_origins,
);
