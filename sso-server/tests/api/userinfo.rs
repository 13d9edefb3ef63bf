//! `/oauth/userinfo`: the claims an access token's flow releases, under the
//! ID token's names, for as long as the token stands; every refusal is an
//! RFC 6750 challenge.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sso_core::access_token::{AccessClaims, AccessTokens};
use sso_core::config::{Flow, Release, UserField};
use sso_core::domain::{ClientId, UserId};

use crate::helpers::*;
use sso_test_support::each_store;

impl TestApp {
    async fn userinfo(&self, method: Method, authorization: Option<&str>) -> Response {
        let mut req = self.http.request(method, self.url("/oauth/userinfo"));
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        req.send().await.unwrap()
    }
}

/// Asserts an RFC 6750 §3 refusal: the status, a challenge naming the
/// error, and the same error in the body.
async fn assert_bearer_error(response: Response, status: StatusCode, error: &str) {
    assert_eq!(response.status(), status, "for {error}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer realm=\"sso\""), "{challenge}");
    assert!(
        challenge.contains(&format!("error=\"{error}\"")),
        "{challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
}

async fn userinfo_answers_until_the_sign_in_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "info@example.com").await;
    let token = app.check(&SPORT, Some(&cookie)).await.access_token();
    let bearer = format!("Bearer {token}");

    let expected = json!({
        "sub": user.uuid,
        "email": "info@example.com",
        "email_verified": false,
        "name": "Test User",
    });
    for method in [Method::GET, Method::POST] {
        let r = app.userinfo(method.clone(), Some(&bearer)).await;
        assert_eq!(r.status(), StatusCode::OK, "{method}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.json::<Value>().await.unwrap(), expected, "{method}");
    }

    // Signing out anywhere in the family ends the token's sign-in.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    let r = app.userinfo(Method::GET, Some(&bearer)).await;
    assert_bearer_error(r, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

/// The claims follow the token's release: `sub` always (the uuid is the
/// subject, released or not), `email` (with `email_verified`) and `name`
/// only when released.
async fn userinfo_releases_only_what_the_flow_released(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "narrow@example.com").await;
    let claims = AccessClaims {
        user: UserId(uuid::Uuid::parse_str(&user.uuid).unwrap()),
        client: ClientId::parse("news").unwrap(),
        expires: sso_core::clock::unix_now() + 60,
        issued_ms: sso_core::clock::unix_now_ms(),
        release: Release::from_bits(0).unwrap(),
        session: None,
    };
    let release = |fields: &[UserField]| {
        let flow = Flow {
            name: "f".into(),
            versions: vec!["1".into()],
            locales: vec!["en-US".into()],
            require_verified_email: false,
            user_data: fields.to_vec(),
        };
        Release::of(Some(&flow))
    };
    for (release, expected) in [
        (release(&[]), json!({ "sub": user.uuid })),
        (release(&[UserField::Uuid]), json!({ "sub": user.uuid })),
        (
            release(&[UserField::Email]),
            json!({ "sub": user.uuid, "email": "narrow@example.com", "email_verified": false }),
        ),
    ] {
        let claims = AccessClaims {
            release,
            ..claims.clone()
        };
        let token = app.access_tokens().mint(&claims);
        let r = app
            .userinfo(Method::GET, Some(&format!("Bearer {token}")))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), expected);
    }
}

async fn userinfo_refuses_what_is_not_a_good_bearer_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "refused@example.com").await;

    // No credentials: a bare challenge (RFC 6750 §3.1).
    let r = app.userinfo(Method::GET, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"sso\"");

    // Another scheme, or the scheme with no token.
    for header in ["Basic bmV3czpuZXdzLXNlY3JldA==", "Bearer"] {
        let r = app.userinfo(Method::GET, Some(header)).await;
        assert_bearer_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    }

    let expired = app.access_tokens().mint(&AccessClaims {
        user: UserId(uuid::Uuid::parse_str(&user.uuid).unwrap()),
        client: ClientId::parse("news").unwrap(),
        expires: sso_core::clock::unix_now() - 1,
        issued_ms: sso_core::clock::unix_now_ms(),
        release: Release::default(),
        session: None,
    });
    let foreign =
        AccessTokens::new(&sso_core::config::AccessTokenKey::generate()).mint(&AccessClaims {
            expires: sso_core::clock::unix_now() + 60,
            ..app.access_tokens().open(&user.access_token).unwrap()
        });
    for token in [expired, foreign, "x".repeat(8 * 1024)] {
        let r = app
            .userinfo(Method::POST, Some(&format!("Bearer {token}")))
            .await;
        assert_bearer_error(r, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }

    let r = app.userinfo(Method::PUT, Some("Bearer x")).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

async fn discovery_names_the_userinfo_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["userinfo_endpoint"], app.url("/oauth/userinfo"));
}

each_store!(
    userinfo_answers_until_the_sign_in_ends,
    userinfo_releases_only_what_the_flow_released,
    userinfo_refuses_what_is_not_a_good_bearer_token,
    discovery_names_the_userinfo_endpoint,
);
