use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sso_core::access_token::{AccessClaims, AccessTokens};
use sso_core::domain::Secret;
use sso_core::domain::{ClientId, UserId};

use crate::helpers::*;
use sso_test_support::each_store;

async fn register_returns_profile_token_and_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "ann@example.com").await;
    let b = &user.body;
    assert_eq!(b["stat"], "ok");
    assert_eq!(b["is_new"], true);
    assert_eq!(b["capture_user"]["email"], "ann@example.com");
    assert_eq!(b["capture_user"]["displayName"], "Test User");
    assert!(uuid::Uuid::parse_str(&user.uuid).is_ok());
    assert!(
        b["capture_user"]["created"]
            .as_str()
            .unwrap()
            .ends_with(" +0000")
    );
    assert_eq!(user.sso_code.len(), 43, "256-bit code");
    let tokens = app.access_tokens();
    let claims = tokens
        .open(&user.access_token)
        .expect("a token of this server");
    assert_eq!(claims.user.to_string(), user.uuid);
    assert_eq!(claims.session, None, "no SSO session exists yet to bind to");

    let entity = app
        .http
        .get(app.url("/entity"))
        .bearer_auth(&user.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(entity.status(), StatusCode::OK);
    let entity: Value = entity.json().await.unwrap();
    assert_eq!(entity["result"]["uuid"], user.uuid.as_str());
}

async fn password_is_stored_as_argon2id(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "hash@example.com").await;
    let stored = app
        .store
        .user_by_email("hash@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        stored.password_hash
    );
    assert!(!stored.password_hash.contains(PASSWORD));
}

async fn sign_in_works_case_insensitively(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "Bob@Example.com").await;
    let response = app.sign_in(&SPORT, "bob@EXAMPLE.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["is_new"], false);
    assert_eq!(body["capture_user"]["uuid"], user.uuid.as_str());
    assert!(body["sso_code"].as_str().is_some());
}

async fn wrong_password_and_unknown_email_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "carl@example.com").await;
    let wrong = assert_error(
        app.sign_in(&NEWS, "carl@example.com", "not the password")
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_error(
        app.sign_in(&NEWS, "nobody@example.com", "not the password")
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong["error_description"], unknown["error_description"]);
    assert_eq!(wrong["code"], 310);
}

async fn duplicate_email_is_refused_regardless_of_case(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up(&NEWS, "dora@example.com").await;
    let again = app.register(&SPORT, "DORA@example.com", &[]).await;
    assert_error(again, StatusCode::CONFLICT, "email_address_in_use").await;
}

async fn concurrent_registrations_of_one_email_create_one_user(backend: Backend) {
    let app = spawn_app(backend).await;
    // All six start before any finishes, so they really race.
    let attempts = (0..6).map(|_| app.register(&NEWS, "race@example.com", &[]));
    let statuses: Vec<StatusCode> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflict = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, conflict), (1, 5), "{statuses:?}");
}

async fn response_type_code_returns_an_authorization_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .register(&NEWS, "code@example.com", &[("response_type", "code")])
        .await;
    let body: Value = response.json().await.unwrap();
    assert!(body.get("access_token").is_none(), "{body}");
    let code = body["authorization_code"].as_str().unwrap();
    // It redeems for news, with the redirect URI it was asked for.
    let tokens = app.redeem_code(&NEWS, code, &[]).await;
    assert!(tokens["id_token"].is_string(), "{tokens}");
}

async fn unknown_client_flow_version_locale_and_redirect_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            "client_id",
            "nope",
            StatusCode::BAD_REQUEST,
            "unknown_client",
        ),
        ("flow", "other", StatusCode::BAD_REQUEST, "unknown_flow"),
        (
            "flow_version",
            "HEAD",
            StatusCode::BAD_REQUEST,
            "unknown_flow_version",
        ),
        ("locale", "xx-XX", StatusCode::BAD_REQUEST, "unknown_locale"),
        (
            "redirect_uri",
            "http://evil.localhost/",
            StatusCode::BAD_REQUEST,
            "url_not_registered",
        ),
    ];
    for (key, value, status, error) in cases {
        let response = app.register(&NEWS, "x@example.com", &[(key, value)]).await;
        assert_error(response, status, error).await;
    }
}

async fn foreign_origin_is_refused_and_gets_no_cors(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut form = NEWS.form();
    form.push(("signInEmailAddress".into(), "a@example.com".into()));
    form.push(("currentPassword".into(), "whatever1".into()));
    let response = app
        .http
        .post(app.url("/oauth/auth_native_traditional"))
        .header("origin", "http://evil.localhost:9999")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_error(response, StatusCode::FORBIDDEN, "origin_not_allowed").await;

    // Another registered site's origin is not this client's origin either.
    let response = app
        .http
        .post(app.url("/oauth/auth_native_traditional"))
        .header("origin", SPORT.origin)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::FORBIDDEN, "origin_not_allowed").await;

    let preflight = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            app.url("/oauth/auth_native_traditional"),
        )
        .header("origin", NEWS.origin)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        NEWS.origin,
        "registered origins get CORS"
    );
}

async fn failed_sign_ins_are_rate_limited_per_account(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.rate_limit.failures_per_account = 3).await;
    app.sign_up(&NEWS, "eve@example.com").await;
    for _ in 0..3 {
        let r = app
            .sign_in(&NEWS, "eve@example.com", "wrong password")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, without being checked.
    let r = app.sign_in(&NEWS, "eve@example.com", PASSWORD).await;
    assert!(r.headers().contains_key("retry-after"));
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another account is unaffected.
    app.sign_up(&NEWS, "fay@example.com").await;
    assert_eq!(
        app.sign_in(&NEWS, "fay@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

/// Defect: the limit was read before the argon2 wait and counted after it,
/// so 200 concurrent guesses were all verified. Reserved first, at most
/// `failures_per_account` of them reach the hash.
async fn concurrent_wrong_guesses_verify_at_most_the_account_budget(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.rate_limit.attempts_per_ip = 100_000;
        s.rate_limit.failures_per_account = 10;
    })
    .await;
    app.sign_up(&NEWS, "target@example.com").await;
    let before = app
        .metrics()
        .await
        .value("sso_password_verifications_total");
    let guesses = (0..200).map(|i| {
        let app = &app;
        async move {
            app.sign_in(&NEWS, "target@example.com", &format!("guess number {i}"))
                .await
                .status()
        }
    });
    let statuses = join_all(guesses).await;
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(verified + limited, 200, "{statuses:?}");
    assert!(verified <= 10, "{verified} guesses were verified");
    let checks = app
        .metrics()
        .await
        .value("sso_password_verifications_total")
        - before;
    assert!(checks <= 10.0, "{checks} password verifications");
}

/// Defect: `/entity` answered with the whole profile whatever the flow had
/// released. It now shows what the token's flow released, and the client.
async fn entity_shows_only_what_the_flow_released(backend: Backend) {
    use sso_core::config::{Flow, UserField};
    let app = spawn_app_with(backend, |s| {
        s.flows.insert(
            "minimal".into(),
            Flow {
                name: "minimal".into(),
                versions: vec!["1".into()],
                locales: vec!["en-US".into()],
                require_verified_email: false,
                user_data: vec![UserField::Uuid],
            },
        );
        for client in s.clients.values_mut() {
            client.flows.push("minimal".into());
        }
    })
    .await;
    let entity = |token: String| {
        let app = &app;
        async move {
            let r = app
                .http
                .get(app.url("/entity"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()["result"].clone()
        }
    };
    // From the registration API, asked for with the minimal flow.
    let user = app
        .sign_up_with(&NEWS, "private@example.com", &[("flow", "minimal")])
        .await;
    let shown = entity(user.access_token.clone()).await;
    assert_eq!(shown, json!({"uuid": user.uuid, "client_id": "news"}));
    // From a silent check of another site with the minimal flow.
    let set = app.set_session(&NEWS, &user.sso_code, None).await;
    let cookie = set.cookie().unwrap();
    let params = with(SPORT.check_params(), "flow", Some("minimal"));
    let check = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(
        check.result["result"]["userData"],
        json!({"uuid": user.uuid})
    );
    let token = check.result["result"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        entity(token).await,
        json!({"uuid": user.uuid, "client_id": "sport"})
    );
    // The standard flow releases all three.
    let check = app.check(&SPORT, Some(&cookie)).await;
    let token = check.result["result"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = entity(token).await;
    assert_eq!(shown["email"], "private@example.com");
    assert_eq!(shown["displayName"], "Test User");
    assert_eq!(shown["client_id"], "sport");
}

async fn attempts_are_rate_limited_per_ip(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.rate_limit.attempts_per_ip = 2).await;
    for _ in 0..2 {
        let r = app.sign_in(&NEWS, "x@example.com", "whatever").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.register(&NEWS, "y@example.com", &[]).await;
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

async fn entity_refuses_bad_and_expired_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    for auth in [
        None,
        Some("Bearer nonsense"),
        Some("Basic abc"),
        Some("Bearer "),
    ] {
        let mut req = app.http.get(app.url("/entity"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        assert_error(
            req.send().await.unwrap(),
            StatusCode::UNAUTHORIZED,
            "access_token_invalid",
        )
        .await;
    }
    // A well-formed token this server did not sign.
    let user = app.sign_up(&NEWS, "old@example.com").await;
    let mut claims = AccessClaims {
        user: UserId(uuid::Uuid::parse_str(&user.uuid).unwrap()),
        client: ClientId::parse("news").unwrap(),
        expires: sso_core::clock::unix_now() + 60,
        issued_ms: sso_core::clock::unix_now_ms(),
        release: Default::default(),
        session: None,
    };
    let foreign = AccessTokens::new(&sso_core::config::AccessTokenKey::generate());
    // A token of this server whose time is up.
    let expired = {
        claims.expires = sso_core::clock::unix_now() - 1;
        app.access_tokens().mint(&claims)
    };
    for token in [
        foreign.mint(&claims),
        expired,
        Secret::generate().expose().to_owned(),
    ] {
        let r = app
            .http
            .get(app.url("/entity"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
    }
    // The same claims, current and signed by this server, are accepted.
    claims.expires = sso_core::clock::unix_now() + 60;
    let current = app.access_tokens().mint(&claims);
    assert_eq!(app.entity_status(&current).await, StatusCode::OK);
}

each_store!(
    register_returns_profile_token_and_code,
    password_is_stored_as_argon2id,
    sign_in_works_case_insensitively,
    wrong_password_and_unknown_email_look_the_same,
    duplicate_email_is_refused_regardless_of_case,
    concurrent_registrations_of_one_email_create_one_user,
    response_type_code_returns_an_authorization_code,
    unknown_client_flow_version_locale_and_redirect_are_refused,
    foreign_origin_is_refused_and_gets_no_cors,
    failed_sign_ins_are_rate_limited_per_account,
    concurrent_wrong_guesses_verify_at_most_the_account_budget,
    entity_shows_only_what_the_flow_released,
    attempts_are_rate_limited_per_ip,
    entity_refuses_bad_and_expired_tokens,
);
