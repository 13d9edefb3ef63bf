//! The validated configuration the server runs with, section by section.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

use crate::config::SsoService;
use crate::config::{AccessTokenKey, Branding, TokenAuthMethod};
use crate::domain::MachineSecretHash;
use crate::domain::{ClientId, RoleToken, Segment, ServiceId};

use super::source::{ConfigFiles, ConfigSource, DEMO_TOML, Overrides, raw_with_overrides};
use super::{ConfigError, REDACTED, StoreSettings, invalid, is_local, raw, redact_url};

/// How log lines are written: `text` for people, `json` (one object per
/// line) for log collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct CookieSettings {
    /// The full cookie name, with `__Host-` when the public URL is https.
    pub name: String,
    pub session_ttl: Duration,
    pub persistent_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct TtlSettings {
    pub sso_code: Duration,
    pub authorization_code: Duration,
    pub access_token: Duration,
    /// A refresh token unused this long is gone (each use renews it)…
    pub refresh_idle: Duration,
    /// …and none of a chain outlives its first by more than this.
    pub refresh_absolute: Duration,
}

#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    pub attempts_per_ip: u64,
    pub ip_window: Duration,
    pub failures_per_account: u64,
    pub account_window: Duration,
    /// One-time codes kept in the store (`sso_code`s) minted and not yet
    /// expired, per client (counted over the code lifetime).
    pub codes_per_client: u64,
    /// Failed client or application authentications (wrong secret) per IP
    /// and per client, per `auth_window`.
    pub auth_failures_per_ip: u64,
    pub auth_failures_per_client: u64,
    pub auth_window: Duration,
    /// How long a wrong or throttled secret waits for its answer: a
    /// flood of them then costs the flooder time instead of our CPU.
    pub auth_failure_delay: Duration,
}

/// A profile field a flow may release in `userData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Email,
    DisplayName,
    Uuid,
}

impl UserField {
    pub const ALL: [UserField; 3] = [Self::Email, Self::DisplayName, Self::Uuid];

    fn bit(self) -> u8 {
        match self {
            Self::Email => 1,
            Self::DisplayName => 2,
            Self::Uuid => 4,
        }
    }
}

/// The profile fields released to a client, as a set; access tokens carry
/// it so that `/entity` returns what the flow released and no more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Release(u8);

impl Release {
    /// What `flow` releases; nothing without a flow.
    pub fn of(flow: Option<&Flow>) -> Self {
        Self(flow.map_or(0, |f| f.user_data.iter().fold(0, |bits, u| bits | u.bit())))
    }
    pub fn contains(self, field: UserField) -> bool {
        self.0 & field.bit() != 0
    }
    pub fn bits(self) -> u8 {
        self.0
    }
    /// The set from its bits; `None` when a bit names no field.
    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits & !7 == 0).then_some(Self(bits))
    }
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub versions: Vec<String>,
    pub locales: Vec<String>,
    pub user_data: Vec<UserField>,
    /// Every client is given, through this flow, only people who confirmed
    /// their email address (as a client's own `require_verified_email`).
    pub require_verified_email: bool,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: ClientId,
    pub origins: Vec<String>,
    pub segment: Segment,
    /// Always contains `segment`.
    pub federates_with: BTreeSet<Segment>,
    pub xd_receivers: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub logout_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser back to, compared
    /// byte for byte.
    pub post_logout_redirect_uris: Vec<String>,
    /// `grant_types` has `refresh_token`: code redemptions also give a
    /// refresh token, and it may be redeemed.
    pub refresh_tokens: bool,
    /// Where this client's backend takes OpenID Connect back-channel
    /// logout tokens, if it does.
    pub backchannel_logout_uri: Option<String>,
    /// The client needs `sid` in logout tokens (it is always there).
    pub backchannel_logout_session_required: bool,
    pub flows: Vec<String>,
    /// Hash of the secret for `/oauth/token`; `None` makes the client
    /// public (it must use PKCE).
    pub secret_hash: Option<MachineSecretHash>,
    /// How it must authenticate at `/oauth/token`; `None`: either way of
    /// sending its secret (or none, for a public client).
    pub auth_method: Option<TokenAuthMethod>,
    /// Its refresh tokens' idle and absolute lifetimes (the `[ttl]` ones
    /// unless the client sets its own).
    pub refresh_idle: Duration,
    pub refresh_absolute: Duration,
    /// How the hosted pages look for this client (the global branding
    /// with the client's own keys over it).
    pub branding: Branding,
    /// Only people who confirmed their email address are given to it.
    pub require_verified_email: bool,
}

impl Client {
    pub fn may_use_segment(&self, segment: &Segment) -> bool {
        self.federates_with.contains(segment)
    }
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

/// A backend application that calls the `/api/...` actions (HTTP Basic).
#[derive(Debug, Clone)]
pub struct ApiApplication {
    pub id: String,
    /// Hash of its secret.
    pub secret_hash: MachineSecretHash,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The role of users created without roles.
    pub default_role: String,
    /// Life of a session from `session/createwithsso`.
    pub session_ttl: Duration,
    /// Tolerated clock difference when checking an SSO response's `exp`.
    pub clock_skew: Duration,
}

/// `[backchannel]`: how long and how patiently logout tokens are delivered.
#[derive(Debug, Clone)]
pub struct BackchannelSettings {
    /// After this long since the sign-out, an undelivered logout is abandoned.
    pub retry: Duration,
    /// One delivery attempt's time limit.
    pub timeout: Duration,
    /// Jobs a client's queue holds at most; beyond it the oldest are
    /// abandoned, so a dead receiver costs bounded memory.
    pub max_waiting_per_client: usize,
}

impl BackchannelSettings {
    /// What a claimed job's lease outlasts an attempt by: the store writes
    /// that finish it, and clock drift between instances. Derived from the
    /// timeout, so no configuration can make a lease run out while its
    /// attempt is still going (and a second instance send the same logout).
    pub const LEASE_MARGIN: Duration = Duration::from_secs(10);

    pub fn lease(&self) -> Duration {
        self.timeout + Self::LEASE_MARGIN
    }
}

/// `[durability]`: a sign-in or sign-out is answered once this many
/// replicas have its write, or once `wait` has passed (then it is counted in
/// `sso_store_unreplicated_total`: availability before durability).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaAcks {
    pub replicas: u32,
    pub wait: Duration,
}

/// Sessions a user's index holds at most, whatever the configuration says:
/// the index is read whole at every sign-in, so it must stay small.
pub const MAX_SESSIONS_CEILING: u32 = 1000;

#[derive(Debug, Clone)]
pub struct Settings {
    pub log_format: LogFormat,
    pub listen: SocketAddr,
    /// Where `/metrics` (and the probes again) are served; `None` serves no
    /// metrics. Never the public port.
    pub admin_listen: Option<SocketAddr>,
    pub public_url: Url,
    pub store: StoreSettings,
    pub workers: usize,
    /// Sessions (browser sign-ins and API sessions) a user may hold at once;
    /// a new one beyond it ends the least recently used. Never above
    /// [`MAX_SESSIONS_CEILING`], which also applies when this is 0 (off).
    pub max_sessions_per_user: u32,
    /// Where `make build` put the browser library; `None` serves none.
    pub assets_dir: Option<std::path::PathBuf>,
    /// Signs access tokens; `None` makes the server generate one at start.
    pub access_token_key: Option<AccessTokenKey>,
    /// PEM file of the ES256 keys that sign ID tokens; `None` makes the
    /// server generate one at start.
    pub id_token_keys: Option<std::path::PathBuf>,
    pub cookie: CookieSettings,
    pub ttl: TtlSettings,
    pub rate_limit: RateLimitSettings,
    pub flows: HashMap<String, Flow>,
    pub clients: HashMap<ClientId, Client>,
    pub api: ApiSettings,
    pub backchannel: BackchannelSettings,
    /// `[durability]`: replicas a sign-in or sign-out waits for (none: it
    /// does not wait).
    pub replica_acks: Option<ReplicaAcks>,
    /// Role name → the tokens it grants.
    pub roles: HashMap<String, BTreeSet<RoleToken>>,
    pub applications: HashMap<String, ApiApplication>,
    pub sso_services: HashMap<ServiceId, SsoService>,
    /// `[branding]`: the hosted pages' look when no client is known.
    pub branding: Branding,
    /// `[email]`: `None` sends no mail.
    pub email: Option<super::EmailSettings>,
}

impl LogFormat {
    /// The format a configuration asks for, read before the rest of it so
    /// that what loading it logs (warnings) is already in that format: the
    /// override, else the file's `log_format`, else text. A file that cannot
    /// be parsed here is reported by the real load.
    pub fn of(source: &ConfigSource, overrides: &Overrides) -> Self {
        if let Some(format) = overrides.log_format {
            return format;
        }
        #[derive(serde::Deserialize)]
        struct Peek {
            #[serde(default)]
            log_format: LogFormat,
        }
        toml::from_str::<Peek>(&source.text)
            .map(|p| p.log_format)
            .unwrap_or_default()
    }
}

impl Settings {
    /// The built-in demo configuration with overrides applied.
    pub fn demo(overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::from_toml(DEMO_TOML, overrides)
    }

    /// The tokens of a set of roles (unknown names grant nothing).
    pub fn role_tokens<'a>(
        &self,
        roles: impl IntoIterator<Item = &'a String>,
    ) -> BTreeSet<RoleToken> {
        roles
            .into_iter()
            .filter_map(|r| self.roles.get(r))
            .flatten()
            .copied()
            .collect()
    }

    /// The configuration of `source` with the overrides. The demo's
    /// secrets are published, so it runs only where nobody else can reach
    /// it (a loopback or `*.localhost` public URL) unless `demo` says it is
    /// wanted anyway.
    pub fn load(
        source: &ConfigSource,
        overrides: &Overrides,
        demo: bool,
    ) -> Result<Self, ConfigError> {
        Ok(Self::load_with_raw(source, overrides, demo)?.0)
    }

    /// `load`, and the configuration as written with the overrides applied
    /// (what `effective_toml` prints).
    fn load_with_raw(
        source: &ConfigSource,
        overrides: &Overrides,
        demo: bool,
    ) -> Result<(Self, raw::RawConfig), ConfigError> {
        let raw = raw_with_overrides(&source.text, overrides)?;
        let settings = raw.clone().validate(&source.files)?;
        if matches!(source.files, ConfigFiles::BuiltIn) && !demo && !is_local(&settings.public_url)
        {
            return Err(invalid(format!(
                "no --config given, and the built-in demo configuration (its client \
                 and application secrets are published) runs only on a loopback or \
                 *.localhost public URL, not {}; pass --config FILE, or --demo to \
                 run the demo there anyway",
                settings.public_url
            )));
        }
        Ok((settings, raw))
    }

    /// A configuration text whose files are the built-in demo's.
    pub fn from_toml(text: &str, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::from_toml_with(text, overrides, &ConfigFiles::BuiltIn)
    }

    pub fn from_toml_with(
        text: &str,
        overrides: &Overrides,
        files: &ConfigFiles,
    ) -> Result<Self, ConfigError> {
        raw_with_overrides(text, overrides)?.validate(files)
    }

    /// The configuration `load` would run, as TOML, after validating it:
    /// the file (or the demo) with the overrides applied. Secrets are
    /// redacted: `access_token_key`, a store password and an SMTP password; `secret_hash`
    /// values are hashes and stay.
    pub fn effective_toml(
        source: &ConfigSource,
        overrides: &Overrides,
        demo: bool,
    ) -> Result<String, ConfigError> {
        let (_, mut raw) = Self::load_with_raw(source, overrides, demo)?;
        if raw.access_token_key.is_some() {
            raw.access_token_key = Some(REDACTED.to_owned());
        }
        raw.store = redact_url(&raw.store);
        if let Some(email) = raw.email.as_mut() {
            email.smtp_url = redact_url(&email.smtp_url);
        }
        toml::to_string(&raw).map_err(|e| invalid(format!("cannot print the configuration: {e}")))
    }

    /// All origins of all clients, for CORS.
    pub fn all_origins(&self) -> BTreeSet<String> {
        self.clients
            .values()
            .flat_map(|c| c.origins.iter().cloned())
            .collect()
    }

    pub fn client(&self, id: &ClientId) -> Option<&Client> {
        self.clients.get(id)
    }

    /// The flow a standard OpenID Connect client asks through: its first.
    pub fn first_flow(&self, client: &Client) -> Option<&Flow> {
        client.flows.first().and_then(|f| self.flows.get(f))
    }

    /// The OpenID issuer: the public URL without its trailing slash.
    pub fn issuer(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}
