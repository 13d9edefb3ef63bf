//! `/oauth/token`, the ID token and discovery: codes redeem once, only by
//! their client, only with the URL they were delivered to and, when asked
//! for with PKCE, only with the verifier; every refusal is an RFC 6749 error.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sso_core::domain::ClientId;
use sso_core::oidc::IdTokenClaims;

use crate::helpers::*;
use sso_test_support::each_store;

const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn secret(site: &Site) -> String {
    format!("{}-secret", site.id)
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl TestApp {
    /// A code from `/sso/check` on `site`, with extra parameters.
    async fn check_code(&self, site: &Site, cookie: &str, extra: &[(&str, &str)]) -> String {
        let mut params = with(site.check_params(), "response_type", Some("code"));
        for (k, v) in extra {
            params = with(params, k, Some(v));
        }
        let d = delivery(&self.sso("/sso/check", &params, Some(cookie), &[]).await);
        assert_eq!(d.status(), "success", "{:?}", d.result);
        d.result["result"]["code"].as_str().unwrap().to_owned()
    }

    /// POSTs to `/oauth/token`, authenticated as `basic` when given.
    async fn redeem(&self, fields: &[(String, String)], basic: Option<(&str, &str)>) -> Response {
        let mut req = self.http.post(self.url("/oauth/token")).form(fields);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        req.send().await.unwrap()
    }

    /// The standard redemption of a code `site` got at its receiver.
    async fn redeem_as(&self, site: &Site, code: &str) -> Response {
        let fields = form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &site.receiver()),
        ]);
        self.redeem(&fields, Some((site.id, &secret(site)))).await
    }

    /// Verifies an ID token with the key the JWKS publishes for its `kid`.
    pub(crate) async fn verify_id_token(&self, token: &str, audience: &str) -> IdTokenClaims {
        let config: Value = self
            .get("/.well-known/openid-configuration")
            .await
            .json()
            .await
            .unwrap();
        let jwks_uri = config["jwks_uri"].as_str().unwrap();
        let jwks: JwkSet = self
            .http
            .get(jwks_uri)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        let jwk = jwks
            .find(header.kid.as_deref().unwrap())
            .expect("kid in the JWKS");
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[self.base.as_str()]);
        validation.set_audience(&[audience]);
        jsonwebtoken::decode(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .expect("a valid ID token")
            .claims
    }
}

/// Asserts an RFC 6749 §5.2 error.
async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) -> Value {
    assert_eq!(response.status(), status, "for {error}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    if status == StatusCode::UNAUTHORIZED {
        assert!(response.headers().contains_key("www-authenticate"));
    }
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"], error, "{body}");
    assert!(!body["error_description"].as_str().unwrap().is_empty());
    body
}

async fn a_check_code_redeems_once_for_verified_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "oidc@example.com").await;
    let code = app
        .check_code(&SPORT, &cookie, &[("nonce", "n-0S6_WzA2Mj")])
        .await;

    let response = app.redeem_as(&SPORT, &code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let claims = app
        .verify_id_token(body["id_token"].as_str().unwrap(), "sport")
        .await;
    assert_eq!(claims.sub, user.uuid);
    assert_eq!(claims.aud, "sport");
    assert_eq!(claims.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
    assert_eq!(claims.email.as_deref(), Some("oidc@example.com"));
    assert_eq!(claims.name.as_deref(), Some("Test User"));
    assert!(claims.auth_time <= claims.iat && claims.iat < claims.exp);
    let access_token = body["access_token"].as_str().unwrap();
    assert_eq!(app.entity_status(access_token).await, 200);

    // Single use.
    let again = app.redeem_as(&SPORT, &code).await;
    assert_oauth_error(again, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // Bound to the SSO session the code came from, as the in-page token is:
    // signing out anywhere in the family ends it.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    assert_eq!(app.entity_status(access_token).await, 401);
}

async fn a_registration_code_redeems_with_client_secret_post(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app
        .sign_up_with(&NEWS, "post@example.com", &[("response_type", "code")])
        .await;
    let code = user.body["authorization_code"].as_str().unwrap();
    let fields = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &NEWS.redirect_uri()),
        ("client_id", "news"),
        ("client_secret", "news-secret"),
    ]);
    let response = app.redeem(&fields, None).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let claims = app
        .verify_id_token(body["id_token"].as_str().unwrap(), "news")
        .await;
    assert_eq!(claims.sub, user.uuid);
    assert_eq!(claims.nonce, None);
    // No browser session yet, so nothing to bind to: the token stands alone.
    let access_token = body["access_token"].as_str().unwrap();
    assert_eq!(app.entity_status(access_token).await, 200);
}

/// Defect: a wrong client secret cost a full argon2id, unthrottled, on the
/// permit pool of people's sign-ins. Secrets are SHA-256 now, and wrong
/// ones are throttled per IP and per client; a correct one always passes.
async fn wrong_client_secrets_are_cheap_and_throttled(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.rate_limit.auth_failures_per_ip = 3;
        s.rate_limit.auth_failures_per_client = 1_000;
    })
    .await;
    let fields = form(&[
        ("grant_type", "authorization_code"),
        ("code", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("redirect_uri", &SPORT.receiver()),
    ]);
    let before = app
        .metrics()
        .await
        .value("sso_password_verifications_total");
    for _ in 0..3 {
        let r = app.redeem(&fields, Some(("sport", "wrong-secret"))).await;
        assert_oauth_error(r, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    let r = app.redeem(&fields, Some(("sport", "wrong-secret"))).await;
    assert!(r.headers().contains_key("retry-after"));
    assert_oauth_error(r, StatusCode::TOO_MANY_REQUESTS, "invalid_client").await;
    // The real backend still authenticates (and only the code is wrong).
    let r = app.redeem(&fields, Some(("sport", "sport-secret"))).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let after = app
        .metrics()
        .await
        .value("sso_password_verifications_total");
    assert_eq!(after, before, "no password hashing for client secrets");
}

/// Refused client and application secrets are answered only after
/// `auth_failure_delay`, known id or not, while a right secret is not held
/// back: a flood of wrong secrets waits instead of taking CPU from sign-ins.
async fn wrong_secrets_are_answered_after_the_failure_delay(backend: Backend) {
    const DELAY: std::time::Duration = std::time::Duration::from_millis(600);
    let app = spawn_app_with(backend, |s| s.rate_limit.auth_failure_delay = DELAY).await;
    let fields = form(&[
        ("grant_type", "authorization_code"),
        ("code", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("redirect_uri", &SPORT.receiver()),
    ]);
    let timed = |basic: (&'static str, &'static str)| {
        let app = &app;
        let fields = &fields;
        async move {
            let started = std::time::Instant::now();
            let r = app.redeem(fields, Some(basic)).await;
            (r.status(), started.elapsed())
        }
    };
    for basic in [("sport", "wrong-secret"), ("no-such-client", "x")] {
        let (status, took) = timed(basic).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{basic:?}");
        assert!(took >= DELAY, "{basic:?} answered after {took:?}");
    }
    // The right secret (and only a wrong code) is not paced.
    let (status, took) = timed(("sport", "sport-secret")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(took < DELAY, "a right secret waited {took:?}");
    // The application API paces the same way.
    for (id, secret) in [("portal", "wrong"), ("no-such-app", "x")] {
        let started = std::time::Instant::now();
        let r = app
            .http
            .post(app.url("/api/user/info"))
            .basic_auth(id, Some(secret))
            .form(&[("user", "00000000-0000-0000-0000-000000000000")])
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{id}");
        assert!(took >= DELAY, "{id} answered after {took:?}");
    }
}

/// A configuration written with argon2id secret hashes still works, and
/// once a client's wrong secrets spend its budget no argon2id runs for it.
async fn legacy_argon2id_client_secrets_still_verify(backend: Backend) {
    use sso_core::domain::MachineSecretHash;
    const NEWS_SECRET_ARGON2ID: &str = "$argon2id$v=19$m=19456,t=2,p=1$ANtpRY422LpccblljRPWYw$CJ/STrO+/+0UQivUT+tKhIMbY7mvklirllUI+dXETT0";
    let app = spawn_app_with(backend, |s| {
        s.rate_limit.auth_failures_per_client = 2;
        for id in ["news", "sport"] {
            let client = s.clients.get_mut(&ClientId::parse(id).unwrap());
            client.unwrap().secret_hash =
                Some(MachineSecretHash::parse(NEWS_SECRET_ARGON2ID).unwrap());
        }
    })
    .await;
    let fields = form(&[
        ("grant_type", "authorization_code"),
        ("code", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("redirect_uri", &NEWS.receiver()),
    ]);
    let r = app.redeem(&fields, Some(("news", "news-secret"))).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // Sport has not verified yet in this process: two failures spend it.
    for _ in 0..2 {
        let r = app.redeem(&fields, Some(("sport", "wrong"))).await;
        assert_oauth_error(r, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    let r = app.redeem(&fields, Some(("sport", "news-secret"))).await;
    assert_oauth_error(r, StatusCode::TOO_MANY_REQUESTS, "invalid_client").await;
}

async fn refusals_are_rfc_6749_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "refuse@example.com").await;
    let basic = Some(("sport", "sport-secret"));
    let fields = |code: &str, redirect: &str| {
        form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
        ])
    };
    let receiver = SPORT.receiver();
    let unused = app.check_code(&SPORT, &cookie, &[]).await;

    // Client authentication.
    for (who, status, error) in [
        (
            Some(("sport", "wrong-secret")),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            Some(("nobody", "x")),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (None, StatusCode::BAD_REQUEST, "invalid_request"),
    ] {
        let r = app.redeem(&fields(&unused, &receiver), who).await;
        assert_oauth_error(r, status, error).await;
    }
    let mut no_secret = fields(&unused, &receiver);
    no_secret.push(("client_id".into(), "sport".into()));
    assert_oauth_error(
        app.redeem(&no_secret, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
    let mut both = fields(&unused, &receiver);
    both.push(("client_secret".into(), "sport-secret".into()));
    assert_oauth_error(
        app.redeem(&both, basic).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    // None of that touched the code: it still redeems.
    assert_eq!(
        app.redeem(&fields(&unused, &receiver), basic)
            .await
            .status(),
        200
    );

    // The redirect URI must repeat the delivery URL exactly; the failed
    // attempt burns the code.
    let code = app.check_code(&SPORT, &cookie, &[]).await;
    for wrong in [
        SPORT.redirect_uri(),
        format!("{receiver}?x=1"),
        String::new(),
    ] {
        let r = app.redeem(&fields(&code, &wrong), basic).await;
        assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    }
    let r = app.redeem(&fields(&code, &receiver), basic).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // A code issued to news is worthless to sport, and burned by the attempt.
    let news_code = app.check_code(&NEWS, &cookie, &[]).await;
    let r = app
        .redeem(&fields(&news_code, &NEWS.receiver()), basic)
        .await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let r = app.redeem_as(&NEWS, &news_code).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // Malformed requests.
    let code = app.check_code(&SPORT, &cookie, &[]).await;
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            with(fields(&code, &receiver), "grant_type", Some("password")),
            "unsupported_grant_type",
        ),
        (
            with(fields(&code, &receiver), "grant_type", None),
            "invalid_request",
        ),
        (
            with(fields(&code, &receiver), "code", None),
            "invalid_request",
        ),
        (
            with(fields(&code, &receiver), "code", Some("not-a-code")),
            "invalid_grant",
        ),
        (
            with(fields(&code, &receiver), "code_verifier", Some("short")),
            "invalid_request",
        ),
        (
            [fields(&code, &receiver), form(&[("code", &code)])].concat(),
            "invalid_request",
        ),
    ];
    for (body, error) in cases {
        let r = app.redeem(&body, basic).await;
        assert_oauth_error(r, StatusCode::BAD_REQUEST, error).await;
    }
    let json = app
        .http
        .post(app.url("/oauth/token"))
        .basic_auth("sport", Some("sport-secret"));
    let r = json
        .json(&serde_json::json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    let b = assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .contains("Content-Type")
    );
    let huge = fields(&"c".repeat(20_000), &receiver);
    let r = app.redeem(&huge, basic).await;
    assert_oauth_error(r, StatusCode::PAYLOAD_TOO_LARGE, "invalid_request").await;
    // Still a good code after all of those (malformed requests take nothing).
    assert_eq!(
        app.redeem(&fields(&code, &receiver), basic).await.status(),
        200
    );
}

async fn pkce_binds_the_code_to_its_verifier(backend: Backend) {
    // Sport as a public client: no secret, so PKCE is its only proof.
    let app = spawn_app_with(backend, |s| {
        let sport = s
            .clients
            .get_mut(&ClientId::parse("sport").unwrap())
            .unwrap();
        sport.secret_hash = None;
    })
    .await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "pkce@example.com").await;
    let pkce = [
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
    ];
    let pkce: Vec<(&str, &str)> = pkce.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let public = |code: &str, verifier: Option<&str>| {
        let mut f = form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &SPORT.receiver()),
            ("client_id", "sport"),
        ]);
        if let Some(v) = verifier {
            f.push(("code_verifier".into(), v.into()));
        }
        f
    };

    let code = app.check_code(&SPORT, &cookie, &pkce).await;
    assert_eq!(
        app.redeem(&public(&code, Some(VERIFIER)), None)
            .await
            .status(),
        200
    );

    // A public client must bring a verifier, and the right one.
    let code = app.check_code(&SPORT, &cookie, &pkce).await;
    let r = app.redeem(&public(&code, None), None).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    let other = format!("{VERIFIER}-other");
    let r = app.redeem(&public(&code, Some(&other)), None).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let r = app.redeem(&public(&code, Some(VERIFIER)), None).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // A public client that presents a secret is refused.
    let code = app.check_code(&SPORT, &cookie, &pkce).await;
    let r = app
        .redeem(&public(&code, Some(VERIFIER)), Some(("sport", "x")))
        .await;
    assert_oauth_error(r, StatusCode::UNAUTHORIZED, "invalid_client").await;

    // A confidential client's code with a challenge needs the verifier too,
    let code = app.check_code(&NEWS, &cookie, &pkce).await;
    let r = app.redeem_as(&NEWS, &code).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // and a verifier for a code issued without a challenge is refused
    // (no downgrade).
    let code = app.check_code(&NEWS, &cookie, &[]).await;
    let f = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &NEWS.receiver()),
        ("code_verifier", VERIFIER),
    ]);
    let r = app.redeem(&f, Some(("news", "news-secret"))).await;
    assert_oauth_error(r, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // The challenge is checked where the code is asked for.
    for (extra, error) in [
        (
            vec![("code_challenge", challenge(VERIFIER))],
            "missing_argument",
        ),
        (
            vec![
                ("code_challenge", challenge(VERIFIER)),
                ("code_challenge_method", "plain".into()),
            ],
            "invalid_argument",
        ),
        (
            vec![
                ("code_challenge", "too-short".into()),
                ("code_challenge_method", "S256".into()),
            ],
            "invalid_argument",
        ),
    ] {
        let mut params = with(SPORT.check_params(), "response_type", Some("code"));
        for (k, v) in &extra {
            params = with(params, k, Some(v));
        }
        let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
        assert_eq!(d.error(), error, "{extra:?}: {:?}", d.result);
    }
}

async fn discovery_describes_the_endpoints_and_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/.well-known/openid-configuration").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["issuer"], app.base.as_str());
    assert_eq!(doc["token_endpoint"], app.url("/oauth/token"));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let jwks: Value = app
        .http
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["use"], "sig");
    assert!(
        key.get("d").is_none(),
        "the JWKS must not leak the private key"
    );
    assert!(key["kid"].as_str().is_some_and(|k| k.len() == 43));
}

async fn a_client_is_held_to_its_registered_auth_method(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let news = ClientId::parse("news").unwrap();
        s.clients.get_mut(&news).unwrap().auth_method =
            Some(sso_core::config::TokenAuthMethod::ClientSecretPost);
    })
    .await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "method@example.com").await;
    let code = app.check_code(&NEWS, &cookie, &[]).await;
    // The right secret, sent the other way: refused, before the code is read.
    let r = app.redeem_as(&NEWS, &code).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("client_secret_post"),
        "{body}"
    );
    let fields = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &NEWS.receiver()),
        ("client_id", "news"),
        ("client_secret", "news-secret"),
    ]);
    assert_eq!(app.redeem(&fields, None).await.status(), StatusCode::OK);
}

each_store!(
    a_client_is_held_to_its_registered_auth_method,
    wrong_client_secrets_are_cheap_and_throttled,
    wrong_secrets_are_answered_after_the_failure_delay,
    legacy_argon2id_client_secrets_still_verify,
    a_check_code_redeems_once_for_verified_tokens,
    a_registration_code_redeems_with_client_secret_post,
    refusals_are_rfc_6749_errors,
    pkce_binds_the_code_to_its_verifier,
    discovery_describes_the_endpoints_and_keys,
);
