//! The hosted pages of what a person does by mail: "forgot password" from
//! the sign-in page, the reset and verification links, in the person's
//! language, as strict pages that only post to themselves.

use reqwest::StatusCode;

use crate::authorize::{Jar, hidden_fields, html_page, request};
use crate::helpers::*;
use crate::recovery::link_token;
use sso_test_support::each_store;

async fn the_sign_in_page_leads_to_a_reset_that_works(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "page@example.com").await;
    let page = html_page(
        app.authorize(&request(&SPORT), &Jar::default()).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        page.contains("href=\"/account/forgot?ui_locales=en\""),
        "{page}"
    );

    let form = html_page(
        app.get("/account/forgot?ui_locales=en").await,
        StatusCode::OK,
    )
    .await;
    assert!(form.contains("autocomplete=\"username\""), "{form}");
    let mut fields = hidden_fields(&form);
    fields.push(("email".into(), "page@example.com".into()));
    let sent = html_page(
        app.post_form("/account/forgot", &fields).await,
        StatusCode::OK,
    )
    .await;
    assert!(sent.contains("a link is on its way"), "{sent}");

    let token = link_token(&app, "page@example.com", "/account/reset").await;
    let reset = html_page(
        app.get(&format!("/account/reset?token={token}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(reset.contains("autocomplete=\"new-password\""), "{reset}");
    let mut fields = hidden_fields(&reset);
    fields.push(("new_password".into(), "short".into()));
    let again = app.post_form("/account/reset", &fields).await;
    let again = html_page(again, StatusCode::BAD_REQUEST).await;
    assert!(
        again.contains("id=\"password-error\""),
        "the error is next to its field: {again}"
    );
    // The refused password did not spend the link.
    fields.retain(|(k, _)| k != "new_password");
    fields.push(("new_password".into(), "a brand new passphrase".into()));
    let done = html_page(
        app.post_form("/account/reset", &fields).await,
        StatusCode::OK,
    )
    .await;
    assert!(done.contains("Your password is changed"), "{done}");
    let new = app
        .sign_in(&NEWS, "page@example.com", "a brand new passphrase")
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

async fn pages_and_mails_speak_the_persons_language(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "sv@example.com").await;
    let form = html_page(
        app.get("/account/forgot?ui_locales=sv").await,
        StatusCode::OK,
    )
    .await;
    assert!(form.contains("lang=\"sv\""), "{form}");
    assert!(form.contains("Återställ ditt lösenord"), "{form}");
    let mut fields = hidden_fields(&form);
    fields.push(("email".into(), "sv@example.com".into()));
    let sent = html_page(
        app.post_form("/account/forgot", &fields).await,
        StatusCode::OK,
    )
    .await;
    assert!(sent.contains("är en länk på väg"), "{sent}");
    let token = link_token(&app, "sv@example.com", "/account/reset").await;
    let mail = app
        .inbox
        .to("sv@example.com")
        .into_iter()
        .find(|m| m.text.contains(&token))
        .unwrap();
    assert_eq!(mail.subject, "Återställ ditt lösenord");
    assert!(mail.text.contains("ui_locales=sv"), "{}", mail.text);
}

async fn the_pages_refuse_foreign_posts_and_bad_links(backend: Backend) {
    let app = spawn_app(backend).await;
    let foreign = app
        .http
        .post(app.url("/account/forgot"))
        .header("origin", "https://evil.example")
        .form(&[("email", "a@example.com")])
        .send()
        .await
        .unwrap();
    let page = html_page(foreign, StatusCode::FORBIDDEN).await;
    assert!(page.contains("origin_not_allowed"), "{page}");
    assert!(app.inbox.mails().is_empty());

    for path in ["/account/reset", "/account/verify"] {
        for query in ["", "?token=short", "?token=a&token=b"] {
            let r = app.get(&format!("{path}{query}")).await;
            html_page(r, StatusCode::BAD_REQUEST).await;
        }
        let r = app
            .post_form(
                path,
                &[
                    ("token".into(), "A".repeat(43)),
                    ("new_password".into(), "long enough pass".into()),
                ],
            )
            .await;
        let page = html_page(r, StatusCode::BAD_REQUEST).await;
        assert!(page.contains("This link does not work"), "{page}");
    }
    let bad = app
        .post_form("/account/forgot", &[("email".into(), "nope".into())])
        .await;
    let page = html_page(bad, StatusCode::BAD_REQUEST).await;
    assert!(page.contains("id=\"email-error\""), "{page}");
    let wrong = app
        .http
        .put(app.url("/account/forgot"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
}

async fn without_email_the_sign_in_page_offers_no_reset(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.email = None).await;
    let page = html_page(
        app.authorize(&request(&SPORT), &Jar::default()).await,
        StatusCode::OK,
    )
    .await;
    assert!(!page.contains("/account/forgot"), "{page}");
}

each_store!(
    the_sign_in_page_leads_to_a_reset_that_works,
    pages_and_mails_speak_the_persons_language,
    the_pages_refuse_foreign_posts_and_bad_links,
    without_email_the_sign_in_page_offers_no_reset,
);
