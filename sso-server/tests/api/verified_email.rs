//! A client with `require_verified_email` is given no one whose address is
//! unconfirmed, on every path a client receives a person: the registration
//! API, `/sso/check` (and so FedCM's library path, which runs the check),
//! `/oauth/authorize` (silent and hosted). Clients without it are not
//! affected, and the person is admitted as soon as the link is followed.
//! A flow may require it too: then every client asking through that flow.

use reqwest::StatusCode;

use crate::authorize::{Jar, answer, code_of, request};
use crate::helpers::*;
use sso_core::domain::{ClientId, UserId};
use sso_core::store::UserChange;
use sso_test_support::{Backend, each_store};

/// News admits confirmed addresses only; sport and shop anyone.
async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        let news = ClientId::parse("news").unwrap();
        s.clients.get_mut(&news).unwrap().require_verified_email = true;
    })
    .await
}

async fn confirm(app: &TestApp, uuid: &str, email: &str) {
    let change = UserChange::VerifyEmail {
        email_normalized: email.to_owned(),
    };
    let id = UserId::parse(uuid).unwrap();
    let user = app.store.update_user(id, change).await.unwrap().unwrap();
    assert!(user.email_verified);
}

async fn an_unconfirmed_person_is_given_to_no_client_that_requires_it(backend: Backend) {
    let app = spawn(backend).await;
    let email = "unconfirmed@example.com";
    // Signed up on sport, which asks nothing more: the family's session.
    let (person, cookie) = app.signed_in_browser(&SPORT, email).await;

    // The registration API on news.
    let refused = app.sign_in(&NEWS, email, PASSWORD).await;
    let body = assert_error(refused, StatusCode::FORBIDDEN, "email_not_verified").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("confirmed their email")
    );
    let new = app
        .register(&NEWS, "new-unconfirmed@example.com", &[])
        .await;
    assert_error(new, StatusCode::FORBIDDEN, "email_not_verified").await;
    // A silent check on news finds the session and gives nothing.
    let check = app.check(&NEWS, Some(&cookie)).await;
    assert_eq!(check.error(), "email_not_verified", "{:?}", check.result);
    assert!(check.result.get("result").is_none(), "{:?}", check.result);
    // Sport still is given the person.
    assert_eq!(app.check(&SPORT, Some(&cookie)).await.status(), "success");
    // A standard client's request for news: back with access_denied.
    let jar = Jar::with_session(&cookie);
    let r = app.authorize(&request(&NEWS), &jar).await;
    let a = answer(&r, &NEWS.redirect_uri());
    assert_eq!(a["error"], "access_denied", "{a:?}");
    assert!(!a.contains_key("code"));

    // The link followed: news is given the person on every path.
    confirm(&app, &person.uuid, email).await;
    assert_eq!(
        app.sign_in(&NEWS, email, PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
    code_of(&app, &app.authorize(&request(&NEWS), &jar).await, &NEWS);
}

async fn clients_without_the_requirement_read_nothing_more(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "anyone@example.com").await;
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
    assert_eq!(
        app.sign_in(&NEWS, "anyone@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

/// Sport's sign-in, then news through a flow that requires confirmed
/// addresses (`confirmed`, news's first, beside `standard`): its OpenID
/// Connect requests go through its first flow.
async fn a_flow_that_requires_it_admits_no_one_unconfirmed_through_it(backend: Backend) {
    use sso_core::config::Flow;
    let app = spawn_app_with(backend, |s| {
        let confirmed = Flow {
            name: "confirmed".into(),
            require_verified_email: true,
            ..s.flows["standard"].clone()
        };
        s.flows.insert("confirmed".into(), confirmed);
        let news = ClientId::parse("news").unwrap();
        s.clients
            .get_mut(&news)
            .unwrap()
            .flows
            .insert(0, "confirmed".into());
    })
    .await;
    let email = "flow-unconfirmed@example.com";
    let (person, cookie) = app.signed_in_browser(&SPORT, email).await;
    let through = |mut form: Vec<(String, String)>, flow: &str| {
        form.iter_mut()
            .filter(|(k, _)| k == "flow")
            .for_each(|(_, v)| *v = flow.to_owned());
        form
    };
    let sign_in = |flow: &'static str| {
        let mut form = through(NEWS.form(), flow);
        form.push(("signInEmailAddress".into(), email.into()));
        form.push(("currentPassword".into(), PASSWORD.into()));
        let app = &app;
        async move { app.post_form("/oauth/auth_native_traditional", &form).await }
    };
    let check = |flow: &'static str| {
        let (app, cookie, params) = (&app, &cookie, through(NEWS.check_params(), flow));
        async move { delivery(&app.sso("/sso/check", &params, Some(cookie), &[]).await) }
    };

    assert_error(
        sign_in("confirmed").await,
        StatusCode::FORBIDDEN,
        "email_not_verified",
    )
    .await;
    assert_eq!(check("confirmed").await.error(), "email_not_verified");
    // The same client through its other flow: no requirement.
    assert_eq!(sign_in("standard").await.status(), StatusCode::OK);
    assert_eq!(check("standard").await.status(), "success");
    // Its OpenID Connect requests go through its first flow.
    let jar = Jar::with_session(&cookie);
    let a = answer(
        &app.authorize(&request(&NEWS), &jar).await,
        &NEWS.redirect_uri(),
    );
    assert_eq!(a["error"], "access_denied", "{a:?}");

    confirm(&app, &person.uuid, email).await;
    assert_eq!(sign_in("confirmed").await.status(), StatusCode::OK);
    assert_eq!(check("confirmed").await.status(), "success");
    code_of(&app, &app.authorize(&request(&NEWS), &jar).await, &NEWS);
}

each_store!(
    a_flow_that_requires_it_admits_no_one_unconfirmed_through_it,
    an_unconfirmed_person_is_given_to_no_client_that_requires_it,
    clients_without_the_requirement_read_nothing_more,
);
