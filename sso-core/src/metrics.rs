//! Prometheus metrics, served at `/metrics` on the admin listener.
//!
//! Every label value comes from a fixed set, so no request can create a
//! series: the HTTP layer labels requests with the methods the server routes
//! or `OTHER`, the matched route pattern or `unmatched`, and the status codes
//! the server itself answers with.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub sessions_created: IntCounter,
    pub codes_issued: IntCounterVec,
    pub codes_redeemed: IntCounterVec,
    pub codes_rejected: IntCounterVec,
    pub store_errors: IntCounter,
    /// Sign-ins and sign-outs answered before the configured replicas had them.
    pub store_unreplicated: IntCounter,
    pub password_verifications: IntCounter,
    /// Back-channel logouts by outcome: `delivered`, `retried`, `abandoned`.
    pub backchannel: IntCounterVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    &METRICS
}

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("unique metric");
    c
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("unique metric");
    c
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "sso_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(latency.clone()))
            .expect("unique metric");
        Self {
            requests: counter_vec(
                &registry,
                "sso_http_requests_total",
                "HTTP requests by route, method and status",
                &["route", "method", "status"],
            ),
            latency,
            sessions_created: counter(
                &registry,
                "sso_sessions_created_total",
                "SSO sessions created by /sso/set",
            ),
            codes_issued: counter_vec(
                &registry,
                "sso_codes_issued_total",
                "One-time codes issued, by kind",
                &["kind"],
            ),
            codes_redeemed: counter_vec(
                &registry,
                "sso_codes_redeemed_total",
                "One-time codes redeemed, by kind",
                &["kind"],
            ),
            codes_rejected: counter_vec(
                &registry,
                "sso_codes_rejected_total",
                "One-time codes refused (unknown, expired, replayed, other client), by kind",
                &["kind"],
            ),
            store_errors: counter(
                &registry,
                "sso_store_errors_total",
                "Store operations that failed or timed out",
            ),
            store_unreplicated: counter(
                &registry,
                "sso_store_unreplicated_total",
                "Sign-ins and sign-outs answered before durability.replicas replicas had them",
            ),
            password_verifications: counter(
                &registry,
                "sso_password_verifications_total",
                "argon2id verifications of people's passwords (sign-ins that reached the hash)",
            ),
            backchannel: counter_vec(
                &registry,
                "sso_backchannel_logouts_total",
                "Back-channel logout deliveries: delivered, retried (an attempt failed), abandoned",
                &["outcome"],
            ),
            registry,
        }
    }

    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}
