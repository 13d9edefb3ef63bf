//! OpenID Connect Back-Channel Logout, against real receivers on loopback:
//! who is told, what the logout token says (checked with a library this
//! project did not write), retries, abandonment, and a restart mid-retry.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use openidconnect::core::{CoreIdToken, CoreJsonWebKeySet};
use openidconnect::{ClientId, IdTokenVerifier, IssuerUrl, Nonce};
use reqwest::StatusCode;
use serde_json::Value;
use sso_core::domain::ClientId as SiteId;
use sso_core::store::RedisStore;

use crate::helpers::*;
use sso_test_support::each_store;

/// A site backend's back-channel logout endpoint: records every token it is
/// sent and answers 500 to the first `failures` of them.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub url: String,
    tokens: Arc<Mutex<Vec<String>>>,
    /// Failures still to answer.
    left: Arc<Mutex<usize>>,
}

pub(crate) async fn receiver(failures: usize) -> Receiver {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let left = Arc::new(Mutex::new(failures));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/backchannel",
        listener.local_addr().unwrap().port()
    );
    let (got, fail) = (tokens.clone(), left.clone());
    let server = HttpServer::new(move || {
        let (got, fail) = (got.clone(), fail.clone());
        App::new().route(
            "/backchannel",
            web::post().to(move |form: web::Form<Vec<(String, String)>>| {
                let (got, fail) = (got.clone(), fail.clone());
                async move {
                    let token = form
                        .iter()
                        .find(|(k, _)| k == "logout_token")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    got.lock().unwrap().push(token);
                    let mut left = fail.lock().unwrap();
                    if *left > 0 {
                        *left -= 1;
                        return HttpResponse::InternalServerError().finish();
                    }
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    Receiver { url, tokens, left }
}

impl Receiver {
    /// From now on every token is taken.
    pub fn recover(&self) {
        *self.left.lock().unwrap() = 0;
    }

    pub fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    /// Waits until `n` tokens arrived (at most `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.tokens();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A URL nobody listens on: a receiver that is down.
fn down() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/backchannel")
}

pub(crate) fn takes_logouts(s: &mut sso_core::config::Settings, client: &str, url: &str) {
    let client = s.clients.get_mut(&SiteId::parse(client).unwrap()).unwrap();
    client.backchannel_logout_uri = Some(url.to_owned());
}

impl TestApp {
    pub(crate) async fn helpdesk(&self, action: &str, form: &[(&str, &str)]) -> Value {
        let r = self
            .http
            .post(self.url(&format!("/api/{action}")))
            .basic_auth("helpdesk", Some("portal-secret"))
            .form(form)
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// The `signout` of ending all of a person's sessions.
    pub(crate) async fn end_everything(&self, person: &str) -> String {
        let a = self
            .helpdesk("user/endallsessions", &[("user", person)])
            .await;
        assert_eq!(a["header"]["statusmessage"], "OK", "{a}");
        a["body"]["signout"]
            .as_str()
            .expect("a sign-out id")
            .to_owned()
    }

    pub(crate) async fn delivery_state(&self, signout: &str) -> Vec<(String, String)> {
        let a = self
            .helpdesk("logout/status", &[("signout", signout)])
            .await;
        a["body"]["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["client"].as_str().unwrap().to_owned(),
                    d["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Waits until a sign-out's delivery to every client is `state`.
    pub(crate) async fn wait_for_state(
        &self,
        signout: &str,
        state: &str,
        within: Duration,
    ) -> Vec<(String, String)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let states = self.delivery_state(signout).await;
            if states.iter().all(|(_, s)| s == state) || tokio::time::Instant::now() > deadline {
                return states;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The ID token news's backend gets for a check in this browser.
    async fn news_id_token(&self, cookie: &str) -> Value {
        let params = with(NEWS.check_params(), "response_type", Some("code"));
        let d = delivery(&self.sso("/sso/check", &params, Some(cookie), &[]).await);
        let code = d.result["result"]["code"].as_str().unwrap().to_owned();
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth("news", Some("news-secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &NEWS.receiver()),
            ])
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        claims(body["id_token"].as_str().unwrap())
    }
}

/// A JWT's header and claims, unverified (the checks are elsewhere).
fn parts(token: &str) -> (Value, Value) {
    use base64::Engine;
    let decode = |p: &str| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let mut it = token.split('.');
    (decode(it.next().unwrap()), decode(it.next().unwrap()))
}

pub(crate) fn claims(token: &str) -> Value {
    parts(token).1
}

async fn every_backend_that_used_the_sign_in_is_told_with_a_valid_logout_token(backend: Backend) {
    let (news, sport) = (receiver(0).await, receiver(0).await);
    let (n, s) = (news.url.clone(), sport.url.clone());
    let app = spawn_app_with(backend, move |settings| {
        takes_logouts(settings, "news", &n);
        takes_logouts(settings, "sport", &s);
    })
    .await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "told@example.com").await;
    let id_token = app.news_id_token(&cookie).await;
    let sid = id_token["sid"]
        .as_str()
        .expect("ID tokens carry sid")
        .to_owned();
    app.check(&SPORT, Some(&cookie)).await;
    // Shop never used the sign-in: never told.
    let started = std::time::Instant::now();
    let ended = app.end(&SPORT, Some(&cookie)).await;
    assert_eq!(ended.status(), "success");
    let to_news = news.wait_for(1, Duration::from_secs(2)).await;
    let to_sport = sport.wait_for(1, Duration::from_secs(2)).await;
    assert_eq!(
        (to_news.len(), to_sport.len()),
        (1, 1),
        "each told once, within 2 s"
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    for (token, aud) in [(&to_news[0], "news"), (&to_sport[0], "sport")] {
        let (header, c) = parts(token);
        assert_eq!(header["typ"], "logout+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(c["iss"], app.base);
        assert_eq!(c["aud"], aud);
        assert_eq!(c["sub"], user.uuid);
        assert_eq!(c["sid"], sid, "the sid of the ID token");
        assert!(c["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
        assert!(c.get("nonce").is_none(), "a logout token never has a nonce");
        assert!(c["jti"].as_str().is_some_and(|j| j.len() >= 16));
        let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
        assert!(exp > iat && (sso_core::clock::unix_now() - iat).abs() < 10);
    }
    assert_ne!(claims(&to_news[0])["jti"], claims(&to_sport[0])["jti"]);

    // A JWT library this project did not write checks the signature
    // against the published JWKS, the issuer, the audience and the times.
    let jwks: jsonwebtoken::jwk::JwkSet = app
        .http
        .get(app.url("/oauth/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (header, _) = parts(&to_news[0]);
    let jwk = jwks
        .find(header["kid"].as_str().unwrap())
        .expect("the signing key is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[&app.base]);
    validation.set_audience(&["news"]);
    validation.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
    let verified = jsonwebtoken::decode::<Value>(&to_news[0], &key, &validation)
        .expect("the logout token verifies");
    assert_eq!(verified.claims["sub"], user.uuid.as_str());
    validation.set_audience(&["shop"]);
    assert!(
        jsonwebtoken::decode::<Value>(&to_news[0], &key, &validation).is_err(),
        "audience checked"
    );

    // Explicit typing: an OpenID Connect client library refuses to take a
    // logout token for an ID token.
    let jwks: CoreJsonWebKeySet = app
        .http
        .get(app.url("/oauth/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_verifier = IdTokenVerifier::new_public_client(
        ClientId::new("news".into()),
        IssuerUrl::new(app.base.clone()).unwrap(),
        jwks,
    );
    let as_id_token: CoreIdToken = to_news[0].parse().expect("a JWT");
    assert!(
        as_id_token
            .claims(&id_verifier, |_: Option<&Nonce>| Ok(()))
            .is_err()
    );
}

/// A receiver that fails twice then succeeds gets exactly one successful
/// delivery; every attempt carries a `jti` of its own (receivers refuse a
/// `jti` they saw, so a repeat would never be taken) for the same sign-in.
async fn a_failing_receiver_is_retried_until_it_takes_the_token_once(backend: Backend) {
    let news = receiver(2).await;
    let url = news.url.clone();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &url);
        add_helpdesk(s);
    })
    .await;
    let (user, _cookie) = app.signed_in_browser(&NEWS, "retry@example.com").await;
    let signout = app.end_everything(&user.uuid).await;
    let states = app
        .wait_for_state(&signout, "delivered", Duration::from_secs(8))
        .await;
    assert_eq!(states, [("news".to_owned(), "delivered".to_owned())]);
    let tokens = news.tokens();
    assert_eq!(tokens.len(), 3, "two failures, one success");
    let jtis: std::collections::BTreeSet<_> = tokens
        .iter()
        .map(|t| claims(t)["jti"].to_string())
        .collect();
    assert_eq!(jtis.len(), 3, "a new jti at every attempt");
    let sids: std::collections::BTreeSet<_> = tokens
        .iter()
        .map(|t| claims(t)["sid"].to_string())
        .collect();
    assert_eq!(sids.len(), 1, "the same sign-in each time");
    // Nothing more arrives.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(news.tokens().len(), 3);
    let metrics = app.metrics().await;
    assert!(metrics.value("sso_backchannel_logouts_total{outcome=\"retried\"}") >= 2.0);
    assert!(metrics.value("sso_backchannel_logouts_total{outcome=\"delivered\"}") >= 1.0);
}

/// A receiver down for longer than the retry window is reported abandoned.
async fn a_receiver_down_past_the_window_is_reported_abandoned(backend: Backend) {
    let url = down();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &url);
        s.backchannel.retry = Duration::from_secs(2);
        add_helpdesk(s);
    })
    .await;
    let (user, _cookie) = app.signed_in_browser(&NEWS, "gone@example.com").await;
    let signout = app.end_everything(&user.uuid).await;
    let at_once = app.delivery_state(&signout).await;
    assert_eq!(at_once.len(), 1, "reported at once: {at_once:?}");
    assert!(
        ["pending", "retrying"].contains(&at_once[0].1.as_str()),
        "{at_once:?}"
    );
    let states = app
        .wait_for_state(&signout, "abandoned", Duration::from_secs(8))
        .await;
    assert_eq!(states, [("news".to_owned(), "abandoned".to_owned())]);
    let a = app
        .helpdesk(
            "logout/status",
            &[("signout", "0123456789abcdef0123456789abcdef")],
        )
        .await;
    assert_eq!(a["header"]["statusmessage"], "SESSION_NOT_FOUND");
}

/// Sign-ins that end without /sso/end are announced too: a person ending
/// one of their sessions, and a new sign-in replacing one.
async fn sign_ins_ended_any_way_are_announced(backend: Backend) {
    let news = receiver(0).await;
    let url = news.url.clone();
    let app = spawn_app_with(backend, move |s| takes_logouts(s, "news", &url)).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "anyway@example.com").await;
    // Signing in again in the same browser replaces the sign-in.
    let again = app.sign_in(&NEWS, "anyway@example.com", PASSWORD).await;
    let code = again.json::<Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = app
        .set_session(&NEWS, &code, Some(&cookie))
        .await
        .cookie()
        .unwrap();
    assert_eq!(news.wait_for(1, Duration::from_secs(2)).await.len(), 1);
    // The person ends it from the list.
    let token = delivery(
        &app.sso("/sso/check", &NEWS.check_params(), Some(&cookie), &[])
            .await,
    )
    .access_token();
    let r = app
        .http
        .post(app.url("/entity/sessions/end_all"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert!(body["result"]["signout"].is_string(), "{body}");
    let got = news.wait_for(2, Duration::from_secs(2)).await;
    assert_eq!(got.len(), 2);
    assert_ne!(
        claims(&got[0])["sid"],
        claims(&got[1])["sid"],
        "two sign-ins, two sids"
    );
}

/// Delivery survives the server: a job waiting for its retry when the only
/// instance stops is delivered by the next one on the same Redis.
#[tokio::test]
async fn a_restart_mid_retry_loses_nothing_on_redis() {
    let news = receiver(1).await;
    let url = news.url.clone();
    let tweak = move |s: &mut sso_core::config::Settings| {
        takes_logouts(s, "news", &url);
        add_helpdesk(s);
        s.backchannel.retry = Duration::from_secs(30);
    };
    let first = spawn_app_with(Backend::Redis, tweak.clone()).await;
    let (user, _) = first.signed_in_browser(&NEWS, "restart@example.com").await;
    let signout = first.end_everything(&user.uuid).await;
    // The first attempt fails; the job waits for its retry (the receiver
    // having been called is not enough: until the instance has put the job
    // back, it is held under the attempt's lease, which outlasts this
    // test's wait by design). Then the instance stops, as a crash would.
    let states = first
        .wait_for_state(&signout, "retrying", Duration::from_secs(5))
        .await;
    assert_eq!(states, [("news".to_owned(), "retrying".to_owned())]);
    assert_eq!(news.tokens().len(), 1);
    first.task.abort();
    let redis = first.redis;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = redis.as_ref().unwrap().url();
    let store = Arc::new(RedisStore::open(&url).await.unwrap());
    let _second = spawn_app_on(store, redis, tweak);
    let got = news.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2, "delivered by the next instance");
    assert_eq!(claims(&got[0])["sid"], claims(&got[1])["sid"]);
    assert_ne!(claims(&got[0])["jti"], claims(&got[1])["jti"]);
}

/// `logout/status` answers only about sign-outs of people the caller may
/// reach: an application without `sso-users` is not told about a person of
/// the registration API (as for an unknown sign-out), one with it is.
async fn logout_status_answers_only_about_reachable_people(backend: Backend) {
    let news = receiver(0).await;
    let url = news.url.clone();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &url);
        add_helpdesk(s);
    })
    .await;
    let (user, _) = app
        .signed_in_browser(&NEWS, "status-scope@example.com")
        .await;
    let signout = app.end_everything(&user.uuid).await;
    assert_eq!(
        app.delivery_state(&signout).await.len(),
        1,
        "helpdesk sees it"
    );
    // The demo's portal may view sessions, but not of SSO users.
    let r = app
        .http
        .post(app.url("/api/logout/status"))
        .basic_auth("portal", Some("portal-secret"))
        .form(&[("signout", signout.as_str())])
        .send()
        .await
        .unwrap();
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["header"]["statusmessage"], "SESSION_NOT_FOUND", "{a}");
}

each_store!(
    logout_status_answers_only_about_reachable_people,
    every_backend_that_used_the_sign_in_is_told_with_a_valid_logout_token,
    a_failing_receiver_is_retried_until_it_takes_the_token_once,
    a_receiver_down_past_the_window_is_reported_abandoned,
    sign_ins_ended_any_way_are_announced,
);
