//! The security invariants the server enforces (ARCHITECTURE.md lists them),
//! each with a test that would catch its violation.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;
use sso_test_support::each_store;

/// Receivers that differ from the registered one in one way each.
fn receiver_variants() -> Vec<(&'static str, String)> {
    vec![
        (
            "other host",
            "http://evil.localhost:8081/xd_receiver.html".into(),
        ),
        ("other site's receiver", SPORT.receiver()),
        (
            "other port",
            "http://news.localhost:8089/xd_receiver.html".into(),
        ),
        ("other path", "http://news.localhost:8081/other.html".into()),
        (
            "path suffix",
            "http://news.localhost:8081/xd_receiver.html/x".into(),
        ),
        (
            "extra query",
            "http://news.localhost:8081/xd_receiver.html?x=1".into(),
        ),
        (
            "empty query",
            "http://news.localhost:8081/xd_receiver.html?".into(),
        ),
        (
            "fragment",
            "http://news.localhost:8081/xd_receiver.html#x".into(),
        ),
        (
            "userinfo",
            "http://news.localhost:8081@evil.localhost/xd_receiver.html".into(),
        ),
        (
            "userinfo prefix",
            "http://user@news.localhost:8081/xd_receiver.html".into(),
        ),
        (
            "scheme change",
            "https://news.localhost:8081/xd_receiver.html".into(),
        ),
        (
            "javascript scheme",
            "javascript:alert(1)//news.localhost:8081/xd_receiver.html".into(),
        ),
        (
            "trailing dot",
            "http://news.localhost.:8081/xd_receiver.html".into(),
        ),
        (
            "upper case host",
            "http://NEWS.localhost:8081/xd_receiver.html".into(),
        ),
        (
            "encoded path",
            "http://news.localhost:8081/xd%5Freceiver.html".into(),
        ),
        (
            "dot segment",
            "http://news.localhost:8081/a/../xd_receiver.html".into(),
        ),
        (
            "protocol relative",
            "//evil.localhost/xd_receiver.html".into(),
        ),
        (
            "backslash",
            "http://news.localhost:8081\\@evil.localhost/xd_receiver.html".into(),
        ),
    ]
}

async fn unregistered_receivers_get_a_400_page_and_no_redirect(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "recv@example.com").await;
    for (what, url) in receiver_variants() {
        for (path, base) in [
            ("/sso/check", NEWS.check_params()),
            (
                "/sso/set",
                with(NEWS.base_params(), "sso_code", Some(&user.sso_code)),
            ),
            ("/sso/end", NEWS.base_params()),
        ] {
            for key in ["xd_receiver", "redirect_uri"] {
                let params = with(with(base.clone(), "xd_receiver", None), key, Some(&url));
                let r = app.sso(path, &params, Some(&cookie), &[]).await;
                assert_eq!(
                    r.status(),
                    StatusCode::BAD_REQUEST,
                    "{what} via {key} on {path}"
                );
                assert!(r.headers().get("location").is_none(), "{what}: no redirect");
                let body = r.text().await.unwrap();
                assert!(body.contains("url_not_registered"), "{what}: {body}");
            }
        }
    }
    // Nothing was delivered anywhere, and the session is intact.
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");
}

async fn unknown_client_or_bad_state_gets_a_400_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            with(NEWS.check_params(), "client_id", Some("evil")),
            "unknown_client",
        ),
        (
            with(NEWS.check_params(), "client_id", None),
            "missing_argument",
        ),
        (
            with(NEWS.check_params(), "xd_receiver", None),
            "missing_argument",
        ),
        (with(NEWS.check_params(), "state", None), "missing_argument"),
        (
            with(NEWS.check_params(), "state", Some("x")),
            "invalid_argument",
        ),
        (
            with(NEWS.check_params(), "state", Some("abc<script>def")),
            "invalid_argument",
        ),
    ];
    for (params, error) in cases {
        let r = app.sso("/sso/check", &params, None, &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get("location").is_none());
        let body = r.text().await.unwrap();
        assert!(body.contains(error), "{error}: {body}");
        assert!(!body.contains("<script>"), "escaped");
    }
}

async fn results_travel_in_the_fragment_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "frag@example.com").await;
    for params in [
        SPORT.check_params(),
        with(SPORT.check_params(), "response_type", Some("code")),
    ] {
        let r = app.sso("/sso/check", &params, Some(&cookie), &[]).await;
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let d = delivery(&r);
        // The part before '#' is exactly the registered receiver: no query.
        assert_eq!(d.receiver, SPORT.receiver());
        assert!(d.status() == "success");
    }
}

async fn sso_code_is_single_use(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "once@example.com").await;
    assert_eq!(
        app.set_session(&NEWS, &user.sso_code, None).await.status(),
        "success"
    );
    let replay = app.set_session(&NEWS, &user.sso_code, None).await;
    assert_eq!(replay.error(), "invalid_code");
    assert!(replay.cookie().is_none());
}

async fn concurrent_redemptions_of_one_code_succeed_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "race-code@example.com").await;
    let attempts = (0..8).map(|_| app.set_session(&NEWS, &user.sso_code, None));
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|d| d.status() == "success").count();
    let lost = results
        .iter()
        .filter(|d| d.error() == "invalid_code")
        .count();
    assert_eq!((won, lost), (1, 7));
}

async fn code_of_one_client_is_refused_for_another_and_burned(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "bound@example.com").await;
    let stolen = app.set_session(&SPORT, &user.sso_code, None).await;
    assert_eq!(stolen.error(), "invalid_code");
    assert!(stolen.cookie().is_none());
    // Presenting it to the wrong client consumed it.
    let own = app.set_session(&NEWS, &user.sso_code, None).await;
    assert_eq!(own.error(), "invalid_code");
}

async fn expired_code_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.ttl.sso_code = Duration::from_secs(1)).await;
    let user = app.sign_up(&NEWS, "late@example.com").await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        app.set_session(&NEWS, &user.sso_code, None).await.error(),
        "invalid_code"
    );
}

async fn malformed_and_unknown_codes_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let d = app.set_session(&NEWS, "short", None).await;
    assert_eq!(d.error(), "invalid_argument");
    let unknown = sso_core::domain::Secret::generate();
    assert_eq!(
        app.set_session(&NEWS, unknown.expose(), None).await.error(),
        "invalid_code"
    );
}

/// Defect: one session minted 20,000 authorization codes in 5 s, each a
/// store entry. Authorization codes are sealed now: minting them writes
/// nothing (however many a page asks for), and the codes the store does keep
/// (the registration API's `sso_code`s) are capped per client.
async fn codes_cannot_fill_the_store(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.rate_limit.codes_per_client = 8).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "codes@example.com").await;
    let params = with(SPORT.check_params(), "response_type", Some("code"));
    // On one Redis node every key can be listed: none is added.
    let node = matches!(app.redis, Some(Redis::Node(_)));
    let before = if node {
        redis_keys(&app).await.1
    } else {
        Vec::new()
    };
    let mut codes = Vec::new();
    for i in 0..40 {
        let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
        assert_eq!(d.status(), "success", "code {i}: {:?}", d.result);
        codes.push(d.result["result"]["code"].as_str().unwrap().to_owned());
    }
    if node {
        let mut after = redis_keys(&app).await.1;
        // The check's own writes (the visit, "last used") are not codes.
        after.retain(|k| !before.contains(k));
        assert!(after.iter().all(|k| !k.starts_with("sso:a:")), "{after:?}");
        assert!(after.len() < 5, "40 codes, no key each: {after:?}");
    }
    // Every one redeems, once, though none was stored.
    for code in [&codes[0], &codes[39]] {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", &SPORT.receiver()),
        ];
        let redeem = || {
            app.http
                .post(app.url("/oauth/token"))
                .basic_auth("sport", Some("sport-secret"))
                .form(&form)
                .send()
        };
        assert_eq!(redeem().await.unwrap().status(), StatusCode::OK);
        assert_eq!(redeem().await.unwrap().status(), StatusCode::BAD_REQUEST);
    }
    // sso_codes are stored: the client's budget of 8 is spent after the
    // sign-up's and 7 sign-ins.
    let mut last = StatusCode::OK;
    for _ in 0..7 {
        last = app
            .sign_in(&NEWS, "codes@example.com", PASSWORD)
            .await
            .status();
    }
    assert_eq!(last, StatusCode::OK);
    let r = app.sign_in(&NEWS, "codes@example.com", PASSWORD).await;
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_codes").await;
}

/// Who the check of `site` finds signed in with `cookie` (empty: nobody).
async fn signed_in_uuid(app: &TestApp, site: &Site, cookie: Option<&str>) -> String {
    let d = app.check(site, cookie).await;
    d.result["result"]["userData"]["uuid"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Defect (login CSRF): any page could navigate a visitor to `/sso/set`
/// with the attacker's fresh code and sign them in as the attacker. Taking
/// a code now only parks the sign-in; the visitor's library never confirms
/// one it did not start, so their session stays as it was.
async fn a_set_the_sites_library_did_not_start_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let attacker = app.sign_up(&NEWS, "attacker@example.com").await;
    // A signed-out visitor stays signed out.
    let parked = app.park_sign_in(&NEWS, &attacker.sso_code, None).await;
    assert_eq!(parked.status(), "confirm", "{:?}", parked.result);
    assert!(
        parked.cookie().is_none(),
        "no session cookie before confirmation"
    );
    assert_eq!(signed_in_uuid(&app, &SPORT, None).await, "");
    // A signed-in visitor stays the same person.
    let (victim, cookie) = app.signed_in_browser(&NEWS, "victim@example.com").await;
    let attacker = app.sign_in(&NEWS, "attacker@example.com", PASSWORD).await;
    let code = attacker.json::<serde_json::Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let parked = app.park_sign_in(&NEWS, &code, Some(&cookie)).await;
    assert_eq!(parked.status(), "confirm");
    assert!(parked.cookie().is_none());
    assert_eq!(
        signed_in_uuid(&app, &SPORT, Some(&cookie)).await,
        victim.uuid
    );
}

/// The attacker's own confirmation token is bound to the attacker's pending
/// cookie: brought to the visitor's browser, with or without a pending
/// cookie of the visitor's, it confirms nothing.
async fn a_confirmation_from_another_browser_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (victim, cookie) = app.signed_in_browser(&NEWS, "victim2@example.com").await;
    let attacker = app.sign_up(&NEWS, "attacker2@example.com").await;
    let theirs = app.park_sign_in(&NEWS, &attacker.sso_code, None).await;
    let token = theirs.confirm();
    // The visitor got a pending cookie of their own from a forced step 1.
    let other = app.sign_up(&NEWS, "attacker3@example.com").await;
    let forced = app
        .park_sign_in(&NEWS, &other.sso_code, Some(&cookie))
        .await;
    let visitor_pending = pending_cookie(&forced.headers, "sso_session").unwrap();
    let params = with(NEWS.base_params(), "confirm", Some(&token));
    for cookies in [
        format!("sso_session={cookie}"),
        format!("sso_session={cookie}; {}", visitor_pending.stripped()),
    ] {
        let r = app
            .sso_with_cookies("/sso/set", &params, Some(&cookies), &[])
            .await;
        let d = delivery(&r);
        assert_eq!(d.error(), "confirmation_invalid", "{:?}", d.result);
        assert!(d.cookie().is_none());
    }
    assert_eq!(
        signed_in_uuid(&app, &SPORT, Some(&cookie)).await,
        victim.uuid
    );
    // The visitor's own library would have confirmed with the token it got.
    let pending = format!("sso_session={cookie}; {}", visitor_pending.stripped());
    let params = with(NEWS.base_params(), "confirm", Some(&forced.confirm()));
    let d = delivery(
        &app.sso_with_cookies("/sso/set", &params, Some(&pending), &[])
            .await,
    );
    assert_eq!(d.status(), "success", "{:?}", d.result);
}

/// Defect (forced logout): any page could end a visitor's family session
/// with a navigation to `/sso/end`. Without the session's sign-out token,
/// which only the site's receiver ever gets, nothing ends.
async fn a_sign_out_without_the_sites_token_ends_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "stay@example.com").await;
    let stranger = app.sign_up(&NEWS, "stranger@example.com").await;
    let (_, theirs) = app.signed_in_browser(&NEWS, "stranger2@example.com").await;
    let their_token = app.check(&SPORT, Some(&theirs)).await.result["result"]["signOutToken"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(stranger);
    for confirm in [
        None,
        Some("AAAAAAAAAAAAAAAAAAAAAA"),
        Some(their_token.as_str()),
    ] {
        let d = app.end_with(&SPORT, Some(&cookie), confirm).await;
        assert_eq!(d.status(), "confirm", "{confirm:?}: {:?}", d.result);
        assert!(d.result["result"]["logoutUris"].is_null());
        assert_eq!(signed_in_uuid(&app, &NEWS, Some(&cookie)).await, user.uuid);
    }
    // The token a check delivered to sport's receiver ends it.
    let check = app.check(&SPORT, Some(&cookie)).await;
    let token = check.result["result"]["signOutToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = app.end_with(&SPORT, Some(&cookie), Some(&token)).await;
    assert_eq!(d.status(), "success", "{:?}", d.result);
    assert_eq!(signed_in_uuid(&app, &NEWS, Some(&cookie)).await, "");
}

async fn codes_are_long_and_distinct(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut seen = std::collections::HashSet::new();
    for i in 0..5 {
        let u = app.sign_up(&NEWS, &format!("u{i}@example.com")).await;
        assert_eq!(u.sso_code.len(), 43, "256 bits, base64url");
        assert!(seen.insert(u.sso_code), "distinct");
        // Access tokens are MAC'd claims, distinct per user.
        assert!(seen.insert(u.access_token), "distinct");
    }
}

async fn session_cookie_has_the_required_attributes(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "attrs@example.com").await;
    let d = app.set_session(&NEWS, &user.sso_code, None).await;
    let raw = d.headers["set-cookie"].to_str().unwrap().to_owned();
    let c = set_cookie(&d.headers, "sso_session").unwrap();
    assert_eq!(c.http_only(), Some(true), "{raw}");
    assert_eq!(c.secure(), Some(true), "{raw}");
    assert_eq!(c.same_site(), Some(cookie::SameSite::None), "{raw}");
    assert_eq!(c.path(), Some("/"), "{raw}");
    assert!(c.domain().is_none(), "host-only: {raw}");
    // The 256-bit secret, then the person signed in (their uuid, base64url).
    let (secret, person) = c.value().split_once('.').expect("secret.person");
    assert_eq!(secret.len(), 43, "{raw}");
    assert_eq!(
        sso_core::domain::decode_person(person).map(|p| p.to_string()),
        Some(user.uuid.clone()),
        "{raw}"
    );
}

async fn https_deployments_use_the_host_prefix(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        *s = sso_core::config::Settings::demo(&sso_core::config::Overrides {
            listen: Some("127.0.0.1:0".into()),
            public_url: Some("https://sso.example.com".into()),
            ..Default::default()
        })
        .unwrap();
    })
    .await;
    let user = app.sign_up(&NEWS, "host@example.com").await;
    let d = app.set_session(&NEWS, &user.sso_code, None).await;
    let c = set_cookie(&d.headers, "__Host-sso_session").expect("__Host- cookie");
    assert_eq!(c.secure(), Some(true));
    assert_eq!(c.path(), Some("/"));
    assert!(c.domain().is_none());
}

each_store!(
    codes_cannot_fill_the_store,
    a_set_the_sites_library_did_not_start_changes_nothing,
    a_confirmation_from_another_browser_is_refused,
    a_sign_out_without_the_sites_token_ends_nothing,
    unregistered_receivers_get_a_400_page_and_no_redirect,
    unknown_client_or_bad_state_gets_a_400_page,
    results_travel_in_the_fragment_only,
    sso_code_is_single_use,
    concurrent_redemptions_of_one_code_succeed_once,
    code_of_one_client_is_refused_for_another_and_burned,
    expired_code_is_refused,
    malformed_and_unknown_codes_are_refused,
    codes_are_long_and_distinct,
    session_cookie_has_the_required_attributes,
    https_deployments_use_the_host_prefix,
);

/// A connection to the test's Redis, and every key in it.
async fn redis_keys(app: &TestApp) -> (::redis::aio::MultiplexedConnection, Vec<String>) {
    let client = ::redis::Client::open(app.redis.as_ref().unwrap().url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys = ::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    (conn, keys)
}

/// Defect: a sign-in's field had grown past 64 bytes and the index held
/// JSON entries of about 150, so Redis kept both hashes of a sign-in as
/// hashtables (432 and 464 B for one sign-in) instead of compact listpacks.
/// Since issue 32's figure 2, a sign-in is kept in its person's hash: one
/// key, no hash of the browser's own.
#[tokio::test]
async fn a_sign_in_is_one_compact_hash_in_redis() {
    let app = spawn_app(Backend::Redis).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "compact@example.com").await;
    // Used by a second site: a visit field beside the rest.
    assert_eq!(app.check(&SPORT, Some(&cookie)).await.status(), "success");
    let (mut conn, keys) = redis_keys(&app).await;
    assert!(!keys.iter().any(|k| k.starts_with("sso:s:")), "{keys:?}");
    let hashes: Vec<&String> = keys.iter().filter(|k| k.starts_with("sso:x:")).collect();
    assert_eq!(hashes.len(), 1, "{keys:?}");
    let encoding: String = ::redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg(hashes[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(encoding, "listpack", "{}", hashes[0]);
}

/// Request text (emails, usernames, rate-limit keys) reaches Redis keys
/// only as a digest, so no input picks a cluster slot.
#[tokio::test]
async fn request_text_never_chooses_a_redis_hash_tag() {
    // Defect: an email with `{` or `}` picked the cluster slot of its key.
    let app = spawn_app(Backend::Redis).await;
    let email = "a}b{slot}c@example.com";
    app.sign_up(&NEWS, email).await;
    assert_eq!(
        app.sign_in(&NEWS, email, PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.sign_in(&NEWS, "{slot}@example.com", "wrong password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, keys) = redis_keys(&app).await;
    for key in &keys {
        assert!(
            !key.contains("slot") && !key.contains('@'),
            "request text in key {key}"
        );
        // Exactly one tag: `{`, then the tag, then `}`, with no braces inside.
        let open = key
            .find('{')
            .unwrap_or_else(|| panic!("untagged key {key}"));
        let close = key[open..].find('}').map(|i| open + i).unwrap();
        assert!(!key[open + 1..close].contains('{'), "{key}");
        assert_eq!(key.matches('{').count(), 1, "{key}");
    }
}

/// Only hashes of the cookie, codes and tokens reach Redis: dump every key
/// and value and look for the secrets.
#[tokio::test]
async fn redis_holds_only_hashes_of_secrets() {
    let app = spawn_app(Backend::Redis).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "dump@example.com").await;
    let code_user = app.sign_up(&SPORT, "dump2@example.com").await;
    let checked = app.check(&SPORT, Some(&cookie)).await;
    let token = checked.result["result"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let (mut conn, keys) = redis_keys(&app).await;
    assert!(keys.iter().any(|k| k.starts_with("sso:x:{")), "{keys:?}");
    let mut dump = keys.join("\n");
    for key in &keys {
        let kind: String = ::redis::cmd("TYPE")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let values: Vec<String> = match kind.as_str() {
            "hash" => ::redis::cmd("HGETALL")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap(),
            // The back-channel logout queue (jobs hold ids, never secrets).
            "stream" | "zset" => {
                let (cmd, args) = if kind == "stream" {
                    ("XRANGE", ["-", "+"])
                } else {
                    ("ZRANGE", ["0", "-1"])
                };
                let all: ::redis::Value = ::redis::cmd(cmd)
                    .arg(key)
                    .arg(&args[..])
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                vec![format!("{all:?}")]
            }
            _ => vec![
                ::redis::cmd("GET")
                    .arg(key)
                    .query_async(&mut conn)
                    .await
                    .unwrap(),
            ],
        };
        dump.push_str(&values.join("\n"));
    }
    let (browser_secret, _) = cookie.split_once('.').expect("secret.person");
    for secret in [
        browser_secret,
        &user.access_token,
        &code_user.sso_code,
        &token[..],
    ] {
        assert!(!dump.contains(secret), "a secret is stored in clear");
    }
    assert!(!dump.contains(PASSWORD));
}
