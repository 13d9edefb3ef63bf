//! The news backend against the real SSO server over HTTP, on both stores:
//! a code from `/sso/check` becomes a site account created on demand, the
//! same person gets the same account next time, even from two tabs at once,
//! and a code works once.

use std::collections::HashMap;
use std::net::TcpListener;

use actix_web::{App, HttpServer};
use reqwest::StatusCode;
use serde_json::Value;
use sso_core::domain::ClientId as SiteId;
use sso_core::oidc::{LogoutClaims, SigningKeys};
use sso_www::account::{AccountBackend, COOKIE};
use sso_www::sso_api::{Credentials, SsoApi};

use sso_test_support::{Backend, Redis, each_store};

/// The demo news site's origin: codes are delivered to its receiver there.
const NEWS: &str = "http://news.localhost:8081";

struct World {
    sso: String,
    news: String,
    http: reqwest::Client,
    /// The SSO server's ID-token key: the tests forge logout tokens with it.
    keys: SigningKeys,
    /// The SSO server's admin listener (`/metrics`).
    admin: String,
    _key_file: KeyFile,
    redis: Option<Redis>,
}

/// A PEM file of a fresh ID-token key, removed at the end of the test.
struct KeyFile(std::path::PathBuf);

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn demo_credentials() -> Credentials {
    Credentials {
        client_id: "news".into(),
        client_secret: "news-secret".into(),
        app_id: "portal".into(),
        app_secret: "portal-secret".into(),
        service: "federation".into(),
    }
}

/// The SSO server on the demo configuration, and the news backend with
/// `credentials`, each on a free port.
async fn start(backend: Backend, credentials: Credentials) -> World {
    // News first, so the SSO server can be told where news takes logouts.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let news = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let key_file = KeyFile(std::env::temp_dir().join(format!("sso-www-test-{}.pem", uuid_like())));
    std::fs::write(&key_file.0, SigningKeys::generate().private_pem()).unwrap();
    let keys = SigningKeys::load(&key_file.0).unwrap();
    let key_path = key_file.0.clone();
    let logout_uri = format!("{news}/account/backchannel-logout");
    let spawned = sso_test_support::spawn_server(backend, move |s| {
        s.id_token_keys = Some(key_path);
        let news = s.clients.get_mut(&SiteId::parse("news").unwrap()).unwrap();
        news.backchannel_logout_uri = Some(logout_uri);
    })
    .await;
    let sso = spawned.base;
    let admin = spawned.admin;
    let redis = spawned.redis;

    let backend = AccountBackend::new(SsoApi::new(&sso, credentials).unwrap(), NEWS);
    let server = HttpServer::new(move || {
        let backend = backend.clone();
        App::new().configure(|cfg| backend.routes(cfg))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    World {
        sso,
        news,
        http,
        keys,
        admin,
        _key_file: key_file,
        redis,
    }
}

/// A name no other test picks at the same time.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The parameters the library sends for news.
fn params(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = [
        ("client_id", "news"),
        ("flow", "standard"),
        ("flow_version", "1"),
        ("locale", "en-US"),
        ("xd_receiver", &format!("{NEWS}/xd_receiver.html")),
        ("logout_uri", &format!("{NEWS}/logout.html")),
        ("state", "s-0123456789abcdef"),
        ("segment", "news"),
        ("supported_segments", "news-sport"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    p.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    p
}

/// The JSON result in the fragment of an SSO endpoint's 303.
fn result_of(response: &reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    let (_, fragment) = location.split_once('#').expect("a fragment");
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    serde_json::from_str(&pairs["sso"]).unwrap()
}

/// The whole `Set-Cookie` line that sets cookie `name`, if any.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
        })
        .map(str::to_owned)
}

impl World {
    /// Registers a person on news and signs the browser in: its SSO cookie
    /// and the person's SSO uuid.
    async fn signed_in_browser(&self, email: &str) -> (String, String) {
        let form = [
            ("client_id", "news"),
            ("flow", "standard"),
            ("flow_version", "1"),
            ("locale", "en-US"),
            ("redirect_uri", &format!("{NEWS}/")),
            ("emailAddress", email),
            ("displayName", "Nora News"),
            ("password", "correct horse battery"),
        ];
        let answer: Value = self
            .http
            .post(format!("{}/oauth/register_native_traditional", self.sso))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["stat"], "ok", "{answer}");
        let set = self
            .http
            .get(format!("{}/sso/set", self.sso))
            .query(&params(&[(
                "sso_code",
                answer["sso_code"].as_str().unwrap(),
            )]))
            .send()
            .await
            .unwrap();
        // The library's confirmation, with the pending cookie.
        let token = result_of(&set)["result"]["confirm"]
            .as_str()
            .expect("a confirmation token")
            .to_owned();
        // One pending cookie per parked sign-in: `sso_session_pending_<tag>`.
        let pending = set
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|line| line.starts_with("sso_session_pending_"))
            .expect("the pending cookie");
        let pending = pending.split(';').next().unwrap().to_owned();
        let set = self
            .http
            .get(format!("{}/sso/set", self.sso))
            .query(&params(&[("confirm", &token)]))
            .header("cookie", pending)
            .send()
            .await
            .unwrap();
        let line = set_cookie(&set, "sso_session").expect("the SSO cookie");
        let cookie = line["sso_session=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let uuid = answer["capture_user"]["uuid"].as_str().unwrap().to_owned();
        (cookie, uuid)
    }

    /// A fresh code from `check_session` on news.
    async fn code(&self, cookie: &str) -> String {
        let check = self
            .http
            .get(format!("{}/sso/check", self.sso))
            .query(&params(&[("response_type", "code")]))
            .header("cookie", format!("sso_session={cookie}"))
            .send()
            .await
            .unwrap();
        let result = result_of(&check);
        result["result"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("a code in {result}"))
            .to_owned()
    }

    /// What the news page does with a code: status, body, account cookie.
    async fn sign_in(&self, code: &str) -> (StatusCode, Value, Option<String>) {
        let response = self
            .http
            .post(format!("{}/account/sso", self.news))
            .json(&serde_json::json!({ "code": code }))
            .send()
            .await
            .unwrap();
        let cookie = set_cookie(&response, COOKIE);
        (response.status(), response.json().await.unwrap(), cookie)
    }

    async fn account(&self, cookie: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.http.get(format!("{}/account", self.news));
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn entity_status(&self, token: &str) -> StatusCode {
        self.http
            .get(format!("{}/entity", self.sso))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// `news_account=<value>` from a Set-Cookie header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn accounts_are_created_on_demand_and_found_again(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    let (sso_cookie, uuid) = world.signed_in_browser("nora@example.com").await;

    // First visit: no account is linked to this person yet, so one is made.
    let code = world.code(&sso_cookie).await;
    let (status, first, set_cookie) = world.sign_in(&code).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["user"]["uuid"], uuid.as_str());
    assert_eq!(first["user"]["email"], "nora@example.com");
    assert_eq!(first["account"]["created"], true);
    assert_eq!(first["account"]["displayname"], "Nora News");
    let account_id = first["account"]["id"].as_str().unwrap().to_owned();
    assert_ne!(account_id, uuid, "the site's account is its own");
    let set_cookie = set_cookie.expect("the account cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let account_cookie = cookie_pair(&set_cookie);
    // The page's access token is bound to the SSO session.
    let token = first["access_token"].as_str().unwrap();
    assert_eq!(world.entity_status(token).await, StatusCode::OK);

    // The account session works...
    let (status, me) = world.account(Some(&account_cookie)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["account"]["id"], account_id.as_str());

    // ...a code works once: the replay is refused with the RFC error...
    let (status, replay, cookie) = world.sign_in(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        replay["error"].as_str().unwrap().contains("invalid_grant"),
        "{replay}"
    );
    assert!(cookie.is_none());

    // ...and the next visit finds the same account instead of a new one.
    let (status, again, _) = world.sign_in(&world.code(&sso_cookie).await).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["account"]["created"], false);
    assert_eq!(again["account"]["id"], account_id.as_str());

    // Signing out ends the account session.
    let out = world
        .http
        .post(format!("{}/account/signout", world.news))
        .header("cookie", &account_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    let (status, _) = world.account(Some(&account_cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, none) = world.account(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(none["error"], "no account session");
}

async fn two_tabs_at_once_get_one_account(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    let (sso_cookie, _) = world.signed_in_browser("twins@example.com").await;
    let codes = [world.code(&sso_cookie).await, world.code(&sso_cookie).await];
    let (a, b) = tokio::join!(world.sign_in(&codes[0]), world.sign_in(&codes[1]));
    for (status, body, _) in [&a, &b] {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    assert_eq!(a.1["account"]["id"], b.1["account"]["id"]);
    let created = [&a.1, &b.1]
        .iter()
        .filter(|b| b["account"]["created"] == true)
        .count();
    assert_eq!(created, 1, "exactly one sign-in created the account");
}

async fn bad_input_and_bad_credentials_are_named(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    for (body, content_type) in [
        ("{}", "application/json"),
        ("not json", "application/json"),
        (r#"{"code":"x"}"#, "text/plain"),
    ] {
        let response = world
            .http
            .post(format!("{}/account/sso", world.news))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains("\"code\""),
            "{answer}"
        );
    }
    let (status, answer, _) = world.sign_in("not-a-code").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["error"].as_str().unwrap().contains("invalid_grant"));

    // A backend with the wrong application secret: the SSO server's
    // refusal reaches the page, named.
    let wrong = Credentials {
        app_secret: "not-the-secret".into(),
        ..demo_credentials()
    };
    let world = start(backend, wrong).await;
    let (sso_cookie, _) = world.signed_in_browser("wrong@example.com").await;
    let (status, answer, _) = world.sign_in(&world.code(&sso_cookie).await).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("AUTHENTICATION_FAILED"),
        "{answer}"
    );
}

/// A sign-out on sport, with no browser help at news: the SSO server tells
/// news's backend, which ends the account session it made for that sign-in.
async fn a_sign_out_elsewhere_ends_the_news_account_session(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    let (sso_cookie, _) = world.signed_in_browser("elsewhere@example.com").await;
    let (status, body, set_cookie) = world.sign_in(&world.code(&sso_cookie).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let account_cookie = cookie_pair(&set_cookie.unwrap());
    assert_eq!(world.account(Some(&account_cookie)).await.0, StatusCode::OK);

    // Sport's library signs out (its two steps), in the same browser.
    let sport = |extra: &[(&str, &str)]| {
        let mut p = params(extra);
        for (k, v) in [
            ("client_id", "sport"),
            (
                "xd_receiver",
                "http://sport.localhost:8082/xd_receiver.html",
            ),
            ("logout_uri", "http://sport.localhost:8082/logout.html"),
            ("segment", "sport"),
        ] {
            p.retain(|(name, _)| name != k);
            p.push((k.to_owned(), v.to_owned()));
        }
        p
    };
    let end = |p: Vec<(String, String)>| {
        world
            .http
            .get(format!("{}/sso/end", world.sso))
            .query(&p)
            .header("cookie", format!("sso_session={sso_cookie}"))
            .send()
    };
    let first = end(sport(&[])).await.unwrap();
    let confirm = result_of(&first)["result"]["confirm"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = end(sport(&[("confirm", &confirm)])).await.unwrap();
    assert_eq!(result_of(&done)["result"]["status"], "success");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let (status, _) = world.account(Some(&account_cookie)).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the news account session outlived the sign-out by 2 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Every malformed logout token is refused (400) and ends nothing; a valid
/// one is taken once.
async fn malformed_logout_tokens_are_refused(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    let (sso_cookie, uuid) = world.signed_in_browser("forged@example.com").await;
    let (_, _, set_cookie) = world.sign_in(&world.code(&sso_cookie).await).await;
    let account_cookie = cookie_pair(&set_cookie.unwrap());
    let now = sso_core::clock::unix_now();
    let sign = |edit: &dyn Fn(&mut Value)| {
        let claims = LogoutClaims::new(
            &world.sso,
            "news",
            "jti-forged-1",
            uuid.clone(),
            "AAAAAAAAAAAAAAAA",
            now,
        );
        let mut v = serde_json::to_value(&claims).unwrap();
        edit(&mut v);
        world.keys.sign_typed("logout+jwt", &v)
    };
    let (http, endpoint) = (
        &world.http,
        format!("{}/account/backchannel-logout", world.news),
    );
    let post = |token: String| http.post(&endpoint).form(&[("logout_token", token)]).send();
    let refused: Vec<(&str, String)> = vec![
        ("a nonce", sign(&|v| v["nonce"] = "n".into())),
        ("another audience", sign(&|v| v["aud"] = "sport".into())),
        (
            "another issuer",
            sign(&|v| v["iss"] = "https://evil.example".into()),
        ),
        (
            "no events",
            sign(&|v| {
                v.as_object_mut().unwrap().remove("events");
            }),
        ),
        (
            "another event",
            sign(&|v| v["events"] = serde_json::json!({"http://example.com/other": {}})),
        ),
        (
            "an old iat",
            sign(&|v| {
                v["iat"] = (now - 3600).into();
            }),
        ),
        (
            "expired",
            sign(&|v| {
                v["iat"] = (now - 400).into();
                v["exp"] = (now - 200).into();
            }),
        ),
        (
            "neither sid nor sub",
            sign(&|v| {
                let o = v.as_object_mut().unwrap();
                o.remove("sid");
                o.remove("sub");
            }),
        ),
        (
            "typed as an ID token",
            world.keys.sign(
                &serde_json::to_value(LogoutClaims::new(
                    &world.sso,
                    "news",
                    "jti-forged-2",
                    uuid.clone(),
                    "AAAAAAAAAAAAAAAA",
                    now,
                ))
                .unwrap(),
            ),
        ),
        (
            "signed by another key",
            SigningKeys::generate().sign_typed(
                "logout+jwt",
                &serde_json::to_value(LogoutClaims::new(
                    &world.sso,
                    "news",
                    "jti-forged-3",
                    uuid.clone(),
                    "AAAAAAAAAAAAAAAA",
                    now,
                ))
                .unwrap(),
            ),
        ),
        ("not a JWT", "not-a-jwt".to_owned()),
    ];
    for (what, token) in refused {
        let r = post(token).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{what}");
    }
    assert_eq!(
        world.account(Some(&account_cookie)).await.0,
        StatusCode::OK,
        "nothing ended"
    );

    // A valid token for the person (by sub) ends the session; its replay is refused.
    let valid = sign(&|v| {
        v.as_object_mut().unwrap().remove("sid");
        v["jti"] = "jti-valid".into();
    });
    let r = post(valid.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        world.account(Some(&account_cookie)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(valid).await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "a replayed jti"
    );
}

impl World {
    /// A logout token for the person `uuid` (by `sub`, no `sid`), signed
    /// with the SSO server's key, posted to news.
    async fn post_logout(&self, uuid: &str, jti: &str) -> reqwest::Response {
        let now = sso_core::clock::unix_now();
        let claims = LogoutClaims::new(
            &self.sso,
            "news",
            jti,
            uuid.to_owned(),
            "AAAAAAAAAAAAAAAA",
            now,
        );
        let mut v = serde_json::to_value(&claims).unwrap();
        v.as_object_mut().unwrap().remove("sid");
        self.post_token(self.keys.sign_typed("logout+jwt", &v))
            .await
    }

    async fn post_token(&self, token: String) -> reqwest::Response {
        self.http
            .post(format!("{}/account/backchannel-logout", self.news))
            .form(&[("logout_token", token)])
            .send()
            .await
            .unwrap()
    }

    /// Requests the SSO server answered at `/oauth/jwks` so far.
    async fn jwks_fetches(&self) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.admin))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .filter(|l| {
                l.starts_with("sso_http_requests_total") && l.contains("route=\"/oauth/jwks\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

/// Tokens with made-up key ids do not each make news fetch the SSO
/// server's keys: an unknown `kid` refetches at most once per 30 s.
async fn forged_key_ids_do_not_each_fetch_the_keys(backend: Backend) {
    let world = start(backend, demo_credentials()).await;
    let before = world.jwks_fetches().await;
    for n in 0..200 {
        let stranger = SigningKeys::generate();
        let jti = format!("jti-kid-{n}");
        let claims = LogoutClaims::new(
            &world.sso,
            "news",
            &jti,
            "x".into(),
            "AAAAAAAAAAAAAAAA",
            sso_core::clock::unix_now(),
        );
        let token = stranger.sign_typed("logout+jwt", &serde_json::to_value(claims).unwrap());
        assert_eq!(
            world.post_token(token).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let fetched = world.jwks_fetches().await - before;
    assert!(
        fetched <= 2.0,
        "200 unknown kids cost {fetched} key fetches"
    );
}

/// News answers 503 when it could not end the sessions a logout names, so
/// the SSO server tries again; the retry (a new token) ends them. A logout
/// for a sign-in already ended is answered 200.
#[tokio::test]
async fn a_logout_news_could_not_carry_out_is_answered_503_and_done_on_retry() {
    let mut world = start(Backend::Redis, demo_credentials()).await;
    let (sso_cookie, uuid) = world.signed_in_browser("retry-news@example.com").await;
    let (_, _, set_cookie) = world.sign_in(&world.code(&sso_cookie).await).await;
    assert!(set_cookie.is_some());
    // The SSO server cannot end the account session while its store is down.
    world.redis.as_mut().unwrap().kill();
    let r = world.post_logout(&uuid, "jti-down-1").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    world.redis.as_mut().unwrap().restart();
    let mut ended = Value::Null;
    for attempt in 0..40 {
        let r = world
            .post_logout(&uuid, &format!("jti-retry-{attempt}"))
            .await;
        if r.status() == StatusCode::OK {
            ended = r.json::<Value>().await.unwrap()["ended"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(ended, 1, "the retry ended the session kept for it");
    let again = world.post_logout(&uuid, "jti-after").await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "already ended is answered 200"
    );
    assert_eq!(again.json::<Value>().await.unwrap()["ended"], 0);
}

each_store!(
    forged_key_ids_do_not_each_fetch_the_keys,
    accounts_are_created_on_demand_and_found_again,
    two_tabs_at_once_get_one_account,
    bad_input_and_bad_credentials_are_named,
    a_sign_out_elsewhere_ends_the_news_account_session,
    malformed_logout_tokens_are_refused,
);
