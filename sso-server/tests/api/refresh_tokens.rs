//! `grant_type=refresh_token`: for clients whose `grant_types` allow it, a
//! code redemption gives a refresh token; each use gives the next and the
//! used one is spent; presenting a spent one revokes the chain; the chain
//! ends with its sign-in, when idle, and at its absolute end; it is its
//! client's alone.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;
use sso_core::domain::ClientId;

use crate::helpers::*;
use sso_test_support::each_store;

impl TestApp {
    /// Tokens for a code `site` got from a check in this browser.
    async fn code_tokens(&self, site: &Site, cookie: &str) -> Value {
        let params = with(site.check_params(), "response_type", Some("code"));
        let d = delivery(&self.sso("/sso/check", &params, Some(cookie), &[]).await);
        let code = d.result["result"]["code"].as_str().unwrap().to_owned();
        let r = self
            .token_call(
                site.id,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &site.receiver()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn token_call(&self, client: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url("/oauth/token"))
            .basic_auth(client, Some(format!("{client}-secret")))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn refresh(&self, client: &str, token: &str) -> Response {
        self.token_call(
            client,
            &[("grant_type", "refresh_token"), ("refresh_token", token)],
        )
        .await
    }

    /// The next refresh token, asserting the grant succeeded.
    async fn refreshed(&self, client: &str, token: &str) -> Value {
        let r = self.refresh(client, token).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }
}

async fn refused(r: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(r.status(), status, "for {error}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}

fn text(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field}: {v}"))
        .to_owned()
}

async fn each_use_gives_the_next_token_and_fresh_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&SPORT, "refresh@example.com").await;
    let first = app.code_tokens(&SPORT, &cookie).await;
    let sid = app
        .verify_id_token(&text(&first, "id_token"), "sport")
        .await
        .sid;
    let mut token = text(&first, "refresh_token");
    for _ in 0..3 {
        let next = app.refreshed("sport", &token).await;
        assert_ne!(text(&next, "refresh_token"), token);
        let claims = app.verify_id_token(&text(&next, "id_token"), "sport").await;
        assert_eq!(claims.sub, user.uuid);
        assert_eq!(claims.sid, sid, "the same sign-in");
        assert_eq!(claims.nonce, None);
        assert_eq!(app.entity_status(&text(&next, "access_token")).await, 200);
        token = text(&next, "refresh_token");
    }
}

async fn a_spent_token_presented_again_revokes_the_chain(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SPORT, "reuse@example.com").await;
    let first = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    let second = text(&app.refreshed("sport", &first).await, "refresh_token");
    let why = refused(
        app.refresh("sport", &first).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    assert!(why.contains("already used"), "{why}");
    // The thief's (or the client's) newer token is revoked with it.
    refused(
        app.refresh("sport", &second).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
}

async fn ending_the_sign_in_ends_its_refresh_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SPORT, "ended@example.com").await;
    let token = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    // Signed out on news: the family's sign-in ends.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    refused(
        app.refresh("sport", &token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
}

async fn a_chain_is_its_clients_and_only_allowed_clients_have_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SPORT, "clients@example.com").await;
    // News's registration has no refresh_token grant.
    let news = app.code_tokens(&NEWS, &cookie).await;
    assert!(news.get("refresh_token").is_none(), "{news}");
    let sport = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    refused(
        app.refresh("news", &sport).await,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
    )
    .await;
    // The token still serves its own client.
    app.refreshed("sport", &sport).await;
}

async fn another_clients_token_is_refused_and_left_alone(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let news = ClientId::parse("news").unwrap();
        s.clients.get_mut(&news).unwrap().refresh_tokens = true;
    })
    .await;
    let (_, cookie) = app.signed_in_browser(&SPORT, "stolen@example.com").await;
    let sport = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    refused(
        app.refresh("news", &sport).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    app.refreshed("sport", &sport).await;
}

async fn the_clients_idle_and_absolute_lifetimes_end_a_chain(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let sport = ClientId::parse("sport").unwrap();
        let sport = s.clients.get_mut(&sport).unwrap();
        sport.refresh_idle = Duration::from_secs(1);
        sport.refresh_absolute = Duration::from_secs(2);
    })
    .await;
    let (_, cookie) = app.signed_in_browser(&SPORT, "idle@example.com").await;
    let idle = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    refused(
        app.refresh("sport", &idle).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;

    // Used within the idle time, a chain still ends at its absolute end.
    let mut token = text(&app.code_tokens(&SPORT, &cookie).await, "refresh_token");
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let r = app.refresh("sport", &token).await;
        if r.status() != StatusCode::OK {
            refused(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
            return;
        }
        token = text(&r.json().await.unwrap(), "refresh_token");
    }
    panic!("the chain outlived its absolute end of 2 s");
}

async fn a_person_signing_out_everywhere_ends_registration_chains(backend: Backend) {
    let app = spawn_app_with(backend, add_helpdesk).await;
    let user = app
        .sign_up_with(
            &SPORT,
            "everywhere@example.com",
            &[("response_type", "code")],
        )
        .await;
    let code = user.body["authorization_code"].as_str().unwrap();
    let r = app
        .token_call(
            "sport",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &SPORT.redirect_uri()),
            ],
        )
        .await;
    let token = text(&r.json().await.unwrap(), "refresh_token");
    let token = text(&app.refreshed("sport", &token).await, "refresh_token");
    // An application signs the person out everywhere.
    let a = app
        .helpdesk("user/endallsessions", &[("user", &user.uuid)])
        .await;
    assert_eq!(a["header"]["statusmessage"], "OK", "{a}");
    refused(
        app.refresh("sport", &token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
}

async fn malformed_refresh_requests_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .token_call("sport", &[("grant_type", "refresh_token")])
        .await;
    let why = refused(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(why.contains("refresh_token"), "{why}");
    for junk in ["x", "a.b", &"y".repeat(5000)] {
        refused(
            app.refresh("sport", junk).await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        )
        .await;
    }
    let r = app
        .http
        .post(app.url("/oauth/token"))
        .basic_auth("sport", Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let r = app.token_call("sport", &[("grant_type", "password")]).await;
    refused(r, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
}

each_store!(
    each_use_gives_the_next_token_and_fresh_tokens,
    a_spent_token_presented_again_revokes_the_chain,
    ending_the_sign_in_ends_its_refresh_tokens,
    a_chain_is_its_clients_and_only_allowed_clients_have_one,
    another_clients_token_is_refused_and_left_alone,
    the_clients_idle_and_absolute_lifetimes_end_a_chain,
    a_person_signing_out_everywhere_ends_registration_chains,
    malformed_refresh_requests_are_named,
);
