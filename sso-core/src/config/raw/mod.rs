//! The file's shape, exactly as written, and its validation into `Settings`
//! (sites.rs: flows and clients; api.rs: the application API; checks.rs:
//! what several sections check; settings.rs: each section's limits and the
//! whole file).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::branding::RawBranding;
use super::email::RawEmail;

use super::{BackchannelSettings, ConfigError, ReplicaAcks, StoreSettings, invalid};
use crate::domain::RoleToken;

mod api;
mod checks;
mod settings;
mod sites;

type Roles = HashMap<String, BTreeSet<RoleToken>>;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub log_format: super::LogFormat,
    pub listen: String,
    #[serde(default)]
    pub admin_listen: Option<String>,
    pub public_url: String,
    pub store: String,
    #[serde(default)]
    pub workers: usize,
    #[serde(default)]
    pub max_sessions_per_user: u32,
    #[serde(default)]
    pub assets_dir: Option<String>,
    #[serde(default)]
    pub access_token_key: Option<String>,
    #[serde(default)]
    pub id_token_keys: Option<String>,
    pub cookie: RawCookie,
    pub ttl: RawTtl,
    pub rate_limit: RawRateLimit,
    #[serde(default)]
    pub flows: Vec<RawFlow>,
    #[serde(default)]
    pub clients: Vec<RawClient>,
    pub api: RawApi,
    #[serde(default)]
    pub backchannel: RawBackchannel,
    #[serde(default)]
    pub durability: RawDurability,
    #[serde(default)]
    pub roles: Vec<RawRole>,
    #[serde(default)]
    pub applications: Vec<RawApplication>,
    #[serde(default)]
    pub sso_services: Vec<RawService>,
    #[serde(default)]
    pub branding: RawBranding,
    #[serde(default)]
    pub email: Option<RawEmail>,
}

/// `[backchannel]`: delivering OpenID Connect back-channel logouts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawBackchannel {
    pub retry_secs: u64,
    pub timeout_ms: u64,
    pub max_waiting_per_client: usize,
}

impl Default for RawBackchannel {
    fn default() -> Self {
        Self {
            retry_secs: 3600,
            timeout_ms: 5000,
            max_waiting_per_client: 10_000,
        }
    }
}

impl RawBackchannel {
    fn validate(&self) -> Result<BackchannelSettings, ConfigError> {
        if !(1..=7 * 24 * 3600).contains(&self.retry_secs) {
            return Err(invalid(
                "backchannel.retry_secs must be 1 to 604800 (a week)",
            ));
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err(invalid("backchannel.timeout_ms must be 100 to 60000"));
        }
        if self.retry_secs * 1000 < self.timeout_ms {
            return Err(invalid(
                "backchannel.retry_secs must be at least one attempt (timeout_ms) long",
            ));
        }
        if !(1..=1_000_000).contains(&self.max_waiting_per_client) {
            return Err(invalid(
                "backchannel.max_waiting_per_client must be 1 to 1000000",
            ));
        }
        Ok(BackchannelSettings {
            retry: Duration::from_secs(self.retry_secs),
            timeout: Duration::from_millis(self.timeout_ms),
            max_waiting_per_client: self.max_waiting_per_client,
        })
    }
}

/// `[durability]`: whether sign-ins and sign-outs wait for Redis replicas.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawDurability {
    pub replicas: u32,
    pub replica_wait_ms: u64,
}

impl Default for RawDurability {
    fn default() -> Self {
        Self {
            replicas: 0,
            replica_wait_ms: 100,
        }
    }
}

impl RawDurability {
    fn validate(&self, store: &StoreSettings) -> Result<Option<ReplicaAcks>, ConfigError> {
        if self.replicas == 0 {
            return Ok(None);
        }
        if *store == StoreSettings::Memory {
            return Err(invalid(
                "durability.replicas needs a Redis store: the in-process store has no replicas",
            ));
        }
        if self.replicas > 5 {
            return Err(invalid("durability.replicas must be 0 to 5"));
        }
        if !(1..=1000).contains(&self.replica_wait_ms) {
            return Err(invalid("durability.replica_wait_ms must be 1 to 1000"));
        }
        Ok(Some(ReplicaAcks {
            replicas: self.replicas,
            wait: Duration::from_millis(self.replica_wait_ms),
        }))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApi {
    pub default_role: String,
    pub session_ttl_secs: u64,
    pub clock_skew_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRole {
    pub name: String,
    pub tokens: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApplication {
    pub id: String,
    pub secret_hash: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "lowercase")]
pub(super) enum RawService {
    Federated {
        id: String,
        audiences: Vec<String>,
    },
    Oidc {
        id: String,
        issuer: String,
        audience: String,
        #[serde(default)]
        algorithms: Option<Vec<String>>,
        #[serde(default)]
        jwks: Option<String>,
        #[serde(default)]
        jwks_file: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCookie {
    pub name: String,
    pub session_ttl_secs: u64,
    pub persistent_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTtl {
    pub sso_code_secs: u64,
    pub authorization_code_secs: u64,
    pub access_token_secs: u64,
    #[serde(default = "defaults::refresh_token_idle_secs")]
    pub refresh_token_idle_secs: u64,
    #[serde(default = "defaults::refresh_token_absolute_secs")]
    pub refresh_token_absolute_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRateLimit {
    pub attempts_per_ip: u64,
    pub ip_window_secs: u64,
    pub failures_per_account: u64,
    pub account_window_secs: u64,
    /// No longer read: authorization codes are sealed and stored nowhere.
    /// Accepted, with a warning, so older files still load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_per_session: Option<u64>,
    #[serde(default = "defaults::codes_per_client")]
    pub codes_per_client: u64,
    #[serde(default = "defaults::auth_failures_per_ip")]
    pub auth_failures_per_ip: u64,
    #[serde(default = "defaults::auth_failures_per_client")]
    pub auth_failures_per_client: u64,
    #[serde(default = "defaults::auth_window_secs")]
    pub auth_window_secs: u64,
    #[serde(default = "defaults::auth_failure_delay_ms")]
    pub auth_failure_delay_ms: u64,
}

/// Defaults of keys added after configurations were written, so that older
/// files still load.
mod defaults {
    pub fn refresh_token_idle_secs() -> u64 {
        1_209_600
    }
    pub fn refresh_token_absolute_secs() -> u64 {
        2_592_000
    }
    pub fn codes_per_client() -> u64 {
        100_000
    }
    pub fn auth_failures_per_ip() -> u64 {
        20
    }
    pub fn auth_failures_per_client() -> u64 {
        100
    }
    pub fn auth_window_secs() -> u64 {
        60
    }
    pub fn auth_failure_delay_ms() -> u64 {
        250
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    pub name: String,
    pub versions: Vec<String>,
    pub locales: Vec<String>,
    pub user_data: Vec<String>,
    #[serde(default)]
    pub require_verified_email: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClient {
    pub id: String,
    #[serde(default)]
    pub origins: Vec<String>,
    pub segment: String,
    #[serde(default)]
    pub federates_with: Vec<String>,
    #[serde(default)]
    pub xd_receivers: Vec<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub logout_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub grant_types: Vec<String>,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    pub flows: Vec<String>,
    #[serde(default)]
    pub secret_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_idle_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_absolute_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<RawBranding>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_verified_email: bool,
}
