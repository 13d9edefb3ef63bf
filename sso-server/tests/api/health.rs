use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use sso_test_support::each_store;

async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ready");
}

/// The OpenAPI document is served with this server's own URL, and it
/// describes the answers the server really gives (one sample here; the
/// contract run in `make test` checks thousands).
async fn openapi_document_is_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/openapi.json").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.settings.issuer());
    let health = &doc["paths"]["/healthz"]["get"]["responses"]["200"];
    assert_eq!(
        health["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Health"
    );
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

/// The resident set size of this process (the server runs in it), in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Requests with random method tokens and paths, 32 at a time.
async fn random_requests(app: &TestApp, count: usize, seed: u64) {
    use futures::stream::{self, StreamExt};
    use rand::{Rng, SeedableRng};
    const TCHAR: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~";
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let requests: Vec<(reqwest::Method, String)> = (0..count)
        .map(|_| {
            let len = if rng.random_ratio(1, 20) {
                2_000
            } else {
                rng.random_range(1..40)
            };
            let token: Vec<u8> = (0..len)
                .map(|_| TCHAR[rng.random_range(0..TCHAR.len())])
                .collect();
            let path: String = (0..rng.random_range(1..120))
                .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
                .collect();
            (
                reqwest::Method::from_bytes(&token).unwrap(),
                format!("/{path}"),
            )
        })
        .collect();
    // Whatever the server answers; a refused connection is an answer too.
    // No answer at all is not: it is named here, where without a bound the
    // test would wait forever (it once did in CI, past the run's limit).
    let unanswered: Vec<String> = stream::iter(requests)
        .map(|(method, path)| async move {
            let sent = app.http.request(method.clone(), app.url(&path)).send();
            match tokio::time::timeout(std::time::Duration::from_secs(30), sent).await {
                Ok(_) => None,
                Err(_) => Some(format!(
                    "{} {path}",
                    &method.as_str()[..method.as_str().len().min(40)]
                )),
            }
        })
        .buffer_unordered(32)
        .filter_map(|unanswered| async move { unanswered })
        .collect()
        .await;
    assert!(
        unanswered.is_empty(),
        "{} requests got no answer within 30 s: {unanswered:?}",
        unanswered.len()
    );
}

/// Defect: every distinct method became a Prometheus series, kept forever
/// (2,000 long methods grew RSS by 326 MB). Labels now come from fixed sets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_methods_and_paths_create_no_metric_series() {
    let app = spawn_app(Backend::Memory).await;
    random_requests(&app, 1_000, 1).await;
    let (rss_before, metrics_before) = (rss(), app.metrics().await.0.len());
    random_requests(&app, 10_000, 2).await;
    let (rss_after, metrics_after) = (rss(), app.metrics().await.0.len());
    let grown = rss_after.saturating_sub(rss_before);
    assert!(grown < 5 << 20, "RSS grew by {grown} bytes");
    let text = metrics_after.saturating_sub(metrics_before);
    assert!(text < 1024, "/metrics grew by {text} bytes");
    let metrics = app.metrics().await;
    assert!(
        metrics.0.contains("method=\"OTHER\",route=\"unmatched\""),
        "{}",
        metrics.0
    );
}

/// `/metrics` is served on the admin listener only; the probes on both.
#[tokio::test]
async fn metrics_are_on_the_admin_listener_only() {
    let app = spawn_app(Backend::Memory).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    for path in ["/metrics", "/healthz", "/readyz"] {
        let r = app
            .http
            .get(format!("{}{path}", app.admin))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
}

each_store!(
    openapi_document_is_served,
    health_and_readiness,
    metrics_count_requests_sessions_and_codes
);
