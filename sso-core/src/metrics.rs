//! The core's counters (codes, sessions, store errors, password checks,
//! back-channel logouts), process-wide. The HTTP crate registers them beside
//! its request metrics and serves them at `/metrics` on the admin listener.
//!
//! Every label value comes from a fixed set (code kinds, delivery outcomes),
//! so nothing a caller sends can create a series.

use std::sync::LazyLock;

use prometheus::{IntCounter, IntCounterVec, Opts, Registry};

pub struct Counters {
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
    /// Mails to people by outcome: `sent`, `failed` (the relay refused or
    /// could not be reached), `dropped` (too many in flight).
    pub mails: IntCounterVec,
}

static COUNTERS: LazyLock<Counters> = LazyLock::new(Counters::new);

/// The process-wide counters.
pub fn global() -> &'static Counters {
    &COUNTERS
}

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric")
}

fn counter(name: &str, help: &str) -> IntCounter {
    IntCounter::new(name, help).expect("valid metric")
}

impl Counters {
    fn new() -> Self {
        Self {
            sessions_created: counter(
                "sso_sessions_created_total",
                "SSO sessions created by /sso/set",
            ),
            codes_issued: counter_vec(
                "sso_codes_issued_total",
                "One-time codes issued, by kind",
                &["kind"],
            ),
            codes_redeemed: counter_vec(
                "sso_codes_redeemed_total",
                "One-time codes redeemed, by kind",
                &["kind"],
            ),
            codes_rejected: counter_vec(
                "sso_codes_rejected_total",
                "One-time codes refused (unknown, expired, replayed, other client), by kind",
                &["kind"],
            ),
            store_errors: counter(
                "sso_store_errors_total",
                "Store operations that failed or timed out",
            ),
            store_unreplicated: counter(
                "sso_store_unreplicated_total",
                "Sign-ins and sign-outs answered before durability.replicas replicas had them",
            ),
            password_verifications: counter(
                "sso_password_verifications_total",
                "argon2id verifications of people's passwords (sign-ins that reached the hash)",
            ),
            backchannel: counter_vec(
                "sso_backchannel_logouts_total",
                "Back-channel logout deliveries: delivered, retried (an attempt failed), abandoned",
                &["outcome"],
            ),
            mails: counter_vec(
                "sso_mails_total",
                "Mails to people (verification, password reset): sent, failed, dropped (too many in flight)",
                &["outcome"],
            ),
        }
    }

    /// Adds every counter to `registry` (once per registry).
    pub fn register(&self, registry: &Registry) -> prometheus::Result<()> {
        registry.register(Box::new(self.sessions_created.clone()))?;
        registry.register(Box::new(self.codes_issued.clone()))?;
        registry.register(Box::new(self.codes_redeemed.clone()))?;
        registry.register(Box::new(self.codes_rejected.clone()))?;
        registry.register(Box::new(self.store_errors.clone()))?;
        registry.register(Box::new(self.store_unreplicated.clone()))?;
        registry.register(Box::new(self.password_verifications.clone()))?;
        registry.register(Box::new(self.backchannel.clone()))?;
        registry.register(Box::new(self.mails.clone()))
    }
}
