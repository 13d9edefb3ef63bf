//! Redis killed mid-test: fast 503s, then recovery without a restart.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::*;

const FAST: Duration = Duration::from_secs(1);

#[tokio::test]
async fn store_outage_gives_fast_503_and_recovers_by_itself() {
    let mut app = spawn_app(Backend::Redis).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "outage@example.com").await;
    let token = app.check(&SPORT, Some(&cookie)).await.access_token();
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);

    app.redis.as_mut().unwrap().kill();

    let t = Instant::now();
    let r = app.get("/readyz").await;
    assert!(t.elapsed() < FAST, "readyz took {:?}", t.elapsed());
    assert_eq!(r.headers()["retry-after"], "1");
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "store_unavailable").await;

    let t = Instant::now();
    let r = app.sign_in(&NEWS, "outage@example.com", PASSWORD).await;
    assert!(t.elapsed() < FAST, "sign-in took {:?}", t.elapsed());
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "store_unavailable").await;

    let t = Instant::now();
    let r = app.register(&NEWS, "new@example.com", &[]).await;
    assert!(t.elapsed() < FAST);
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "store_unavailable").await;

    // The SSO endpoints tell the library, at the registered receiver.
    let t = Instant::now();
    let d = app.check(&SPORT, Some(&cookie)).await;
    assert!(t.elapsed() < FAST);
    assert_eq!(d.receiver, SPORT.receiver());
    assert_eq!(d.error(), "store_unavailable");

    // FedCM's accounts endpoint says so too, in FedCM's error shape.
    let r = app
        .get_with(
            "/fedcm/accounts",
            &[
                ("sec-fetch-dest", "webidentity"),
                ("cookie", &format!("sso_session={cookie}")),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "store_unavailable", "{body}");

    // UserInfo in RFC 6750's terms: the token may be good, so not a 401.
    let r = app
        .http
        .get(app.url("/oauth/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");

    // Liveness is not readiness: the process itself is fine.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    app.redis.as_mut().unwrap().restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = app.get("/readyz").await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The restarted Redis is empty, but the server works again.
    let user = app.sign_up(&NEWS, "after@example.com").await;
    assert_eq!(
        app.set_session(&NEWS, &user.sso_code, None).await.status(),
        "success"
    );
    let errors = app.metrics().await.value("sso_store_errors_total");
    assert!(errors >= 3.0, "store errors counted: {errors}");
}

#[tokio::test]
async fn starts_while_redis_is_down_and_serves_once_it_is_up() {
    let mut redis = sso_test_support::RedisServer::start();
    let url = redis.url();
    redis.kill();
    let store = sso_core::store::RedisStore::open(&url)
        .await
        .expect("opens without Redis");
    assert!(sso_core::store::Store::ping(&store).await.is_err());
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sso_core::store::Store::ping(&store).await.is_err() {
        assert!(Instant::now() < deadline, "never connected");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
