use reqwest::StatusCode;
use serde_json::Value;

use crate::both_stores;
use crate::helpers::*;

async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ready");
}

async fn metrics_count_requests_sessions_and_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "metrics@example.com").await;
    app.check(&SPORT, Some(&cookie)).await;
    let replay = app.sign_up(&SPORT, "m2@example.com").await;
    app.set_session(&SPORT, &replay.sso_code, None).await;
    app.set_session(&SPORT, &replay.sso_code, None).await;
    let metrics = app.metrics().await;
    let value = |series: &str| metrics.value(series);
    assert!(value("sso_sessions_created_total") >= 2.0);
    assert!(value("sso_codes_issued_total{kind=\"sso_code\"}") >= 2.0);
    assert!(value("sso_codes_redeemed_total{kind=\"sso_code\"}") >= 2.0);
    assert!(value("sso_codes_rejected_total{kind=\"sso_code\"}") >= 1.0);
    assert!(
        value("sso_http_requests_total{method=\"GET\",route=\"/sso/check\",status=\"303\"}") >= 1.0
    );
    assert!(
        metrics
            .0
            .contains("sso_http_request_duration_seconds_bucket{route=\"/sso/set\"")
    );
    assert!(metrics.0.contains("sso_store_errors_total"));
}

both_stores!(
    health_and_readiness,
    metrics_count_requests_sessions_and_codes
);
