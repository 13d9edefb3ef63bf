//! Configuration: one TOML file (the built-in demo when none is given) plus
//! environment overrides, parsed into validated [`Settings`].

mod raw;
mod store_url;

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use url::Url;

use crate::access_token::AccessTokenKey;
use crate::domain::{ClientId, RoleToken, Segment, ServiceId};
use crate::machine_secret::MachineSecretHash;
use crate::sso_service::SsoService;

/// The built-in demo configuration (also the documented example).
pub const DEMO_TOML: &str = include_str!("../../config/demo.toml");

/// Files the demo configuration names, built in with it.
const DEMO_FILES: [(&str, &str); 1] = [(
    "partner-idp.jwks.json",
    include_str!("../../config/partner-idp.jwks.json"),
)];

/// Where files named in a configuration (`jwks_file`) are read from.
#[derive(Debug, Clone)]
pub enum ConfigFiles {
    /// Relative to the configuration file's folder.
    Dir(std::path::PathBuf),
    /// The built-in demo's own files.
    BuiltIn,
}

impl ConfigFiles {
    pub fn read(&self, name: &str) -> Result<String, ConfigError> {
        match self {
            Self::Dir(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
            Self::BuiltIn => DEMO_FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| invalid(format!("`{name}` is not a file of the built-in demo"))),
        }
    }
}

/// A configuration's text and where the files it names are read from:
/// read once at start-up, then used for the log format, the settings and
/// `check-config`.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    text: String,
    files: ConfigFiles,
}

impl ConfigSource {
    /// The file at `path`, or the built-in demo when `path` is `None`.
    pub fn read(path: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = path else {
            return Ok(Self::demo());
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(Self {
            text,
            files: ConfigFiles::Dir(dir),
        })
    }

    pub fn demo() -> Self {
        Self {
            text: DEMO_TOML.to_owned(),
            files: ConfigFiles::BuiltIn,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// What `check-config` prints in place of a secret.
const REDACTED: &str = "<redacted>";

pub use self::store_url::{StoreSettings, redact_url};

/// The file's text parsed, with the flags' and environment's values over it.
fn raw_with_overrides(text: &str, overrides: &Overrides) -> Result<raw::RawConfig, ConfigError> {
    // The file alone first: its errors name the line.
    let mut raw: raw::RawConfig = toml::from_str(text)?;
    if overrides.environment {
        raw = with_environment(text)?;
    }
    let o = overrides.clone();
    if let Some(v) = o.log_format {
        raw.log_format = v;
    }
    raw.listen = o.listen.unwrap_or(raw.listen);
    raw.admin_listen = o.admin_listen.or(raw.admin_listen);
    raw.public_url = o.public_url.unwrap_or(raw.public_url);
    raw.store = o.store.unwrap_or(raw.store);
    raw.assets_dir = o.assets_dir.or(raw.assets_dir);
    raw.access_token_key = o.access_token_key.or(raw.access_token_key);
    raw.id_token_keys = o.id_token_keys.or(raw.id_token_keys);
    Ok(raw)
}

/// The configuration's top-level keys: what an `SSO_` variable may name.
/// Other `SSO_` variables (`SSO_CONFIG`, `SSO_LOG`, a tool's own) are not
/// configuration and are left alone; under a key, an unknown name is
/// refused as in the file.
const KEYS: [&str; 20] = [
    "log_format",
    "listen",
    "admin_listen",
    "public_url",
    "store",
    "workers",
    "max_sessions_per_user",
    "assets_dir",
    "access_token_key",
    "id_token_keys",
    "cookie",
    "ttl",
    "rate_limit",
    "flows",
    "clients",
    "api",
    "backchannel",
    "roles",
    "applications",
    "sso_services",
];

/// The file with the `SSO_*` environment over it (figment): a variable's
/// value is read as a TOML-like value (`SSO_WORKERS=4` is a number,
/// `SSO_STORE=redis://…` a string, `SSO_CLIENTS=[{…}]` an array).
fn with_environment(text: &str) -> Result<raw::RawConfig, ConfigError> {
    use figment::Figment;
    use figment::providers::{Env, Serialized};
    let file: toml::Table = toml::from_str(text)?;
    let env = Env::prefixed("SSO_").split("__").filter(|key| {
        // Seen with `__` already turned into `.` by `split`, or not.
        let key = key.as_str().to_ascii_lowercase().replace("__", ".");
        KEYS.contains(&key.split('.').next().unwrap_or_default())
    });
    Figment::from(Serialized::defaults(file))
        .merge(env)
        .extract()
        .map_err(|e| invalid(format!("in the SSO_* environment: {e}")))
}

/// Whether a URL's host is this machine: a loopback address, `localhost`
/// or a `*.localhost` name (which browsers resolve to loopback).
pub fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.');
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn invalid(msg: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(msg.into())
}

/// Values that override the file (from flags or `SSO_*` variables).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// Layer every `SSO_<KEY>` variable of the process environment over the
    /// file (nested keys with `__`: `SSO_RATE_LIMIT__ATTEMPTS_PER_IP`); the
    /// binary sets it, tests do not, so they do not depend on the
    /// environment they run in.
    pub environment: bool,
    pub log_format: Option<LogFormat>,
    pub listen: Option<String>,
    pub admin_listen: Option<String>,
    pub public_url: Option<String>,
    pub store: Option<String>,
    pub assets_dir: Option<String>,
    pub access_token_key: Option<String>,
    pub id_token_keys: Option<String>,
}

/// How log lines are written: `text` for people, `json` (one object per
/// line) for log collectors.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
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
}

#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    pub attempts_per_ip: u64,
    pub ip_window: Duration,
    pub failures_per_account: u64,
    pub account_window: Duration,
    /// Codes minted and not yet expired, per browser session and per client
    /// (counted over the code lifetime).
    pub codes_per_session: u64,
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
    /// Where this client's backend takes OpenID Connect back-channel
    /// logout tokens, if it does.
    pub backchannel_logout_uri: Option<String>,
    /// The client needs `sid` in logout tokens (it is always there).
    pub backchannel_logout_session_required: bool,
    pub flows: Vec<String>,
    /// Hash of the secret for `/oauth/token`; `None` makes the client
    /// public (it must use PKCE).
    pub secret_hash: Option<MachineSecretHash>,
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
    /// redacted: `access_token_key` and a store password; `secret_hash`
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

    /// The OpenID issuer: the public URL without its trailing slash.
    pub fn issuer(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_config_loads_with_the_documented_values() {
        let s = Settings::demo(&Overrides::default()).unwrap();
        assert_eq!(s.public_url.as_str(), "http://sso.localhost:8080/");
        assert_eq!(s.store, StoreSettings::Memory);
        let news = s.client(&ClientId::parse("news").unwrap()).unwrap();
        assert!(news.may_use_segment(&Segment::parse("sport").unwrap()));
        let shop = s.client(&ClientId::parse("shop").unwrap()).unwrap();
        assert!(!shop.may_use_segment(&Segment::parse("news").unwrap()));
        assert_eq!(s.cookie.name, "sso_session");
    }

    #[test]
    fn overrides_win_and_https_gets_host_prefix() {
        let o = Overrides {
            environment: false,
            log_format: Some(LogFormat::Json),
            listen: Some("0.0.0.0:9000".into()),
            admin_listen: None,
            public_url: Some("https://sso.example.com".into()),
            store: Some("redis://127.0.0.1:6390/1".into()),
            assets_dir: Some("target/sso-client".into()),
            access_token_key: Some("not a key".into()),
            id_token_keys: Some("keys.pem".into()),
        };
        let err = Settings::demo(&o).unwrap_err().to_string();
        assert!(err.contains("access_token_key is not base64"), "{err}");
        let o = Overrides {
            access_token_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY".into()),
            ..o
        };
        let s = Settings::demo(&o).unwrap();
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(LogFormat::of(&ConfigSource::demo(), &o), LogFormat::Json);
        assert_eq!(
            LogFormat::of(&ConfigSource::demo(), &Overrides::default()),
            LogFormat::Text
        );
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.cookie.name, "__Host-sso_session");
        assert_eq!(s.assets_dir, Some("target/sso-client".into()));
        assert_eq!(s.id_token_keys, Some("keys.pem".into()));
        assert_eq!(s.issuer(), "https://sso.example.com");
        assert_eq!(
            s.store,
            StoreSettings::Redis("redis://127.0.0.1:6390/1".into())
        );
    }

    fn demo_with(from: &str, to: &str) -> Result<Settings, ConfigError> {
        assert!(DEMO_TOML.contains(from), "{from}");
        Settings::from_toml(&DEMO_TOML.replacen(from, to, 1), &Overrides::default())
    }

    #[test]
    fn bad_configs_are_refused_with_a_reason() {
        let cases = [
            ("store = \"memory\"", "store = \"mongodb://x\"", "store"),
            (
                "store = \"memory\"",
                "store = \"redis+cluster://127.0.0.1:7000\"",
                "access_token_key must be set with a redis+cluster:// store",
            ),
            ("sso_code_secs = 60", "sso_code_secs = 600", "sso_code_secs"),
            ("flows = [\"standard\"]", "flows = [\"nope\"]", "nope"),
            (
                "xd_receivers = [\"http://news.localhost:8081/xd_receiver.html\"]",
                "xd_receivers = [\"http://news.localhost:8081/x#frag\"]",
                "fragment",
            ),
            ("id = \"sport\"", "id = \"news\"", "twice"),
            ("\"uuid\"]", "\"password\"]", "password"),
        ];
        for (from, to, needle) in cases {
            let err = demo_with(from, to).unwrap_err().to_string();
            assert!(err.contains(needle), "{to}: {err}");
        }
    }

    /// Defect: without --config the demo (published secrets) started on any
    /// public URL and store.
    #[test]
    fn the_demo_runs_only_on_local_urls_unless_asked_for() {
        let public = |url: &str| Overrides {
            public_url: Some(url.into()),
            ..Overrides::default()
        };
        for url in [
            "http://sso.localhost:8080",
            "http://127.0.0.1:9",
            "http://[::1]:9",
            "http://localhost",
        ] {
            assert!(
                Settings::load(&ConfigSource::demo(), &public(url), false).is_ok(),
                "{url}"
            );
        }
        for url in [
            "https://sso.example.com",
            "http://10.0.0.5:8080",
            "https://localhost.example.com",
        ] {
            let err = Settings::load(&ConfigSource::demo(), &public(url), false)
                .unwrap_err()
                .to_string();
            assert!(err.contains("--demo"), "{url}: {err}");
            assert!(
                Settings::load(&ConfigSource::demo(), &public(url), true).is_ok(),
                "{url}"
            );
        }
    }

    /// Defect: an https server accepted http receivers, redirect and logout
    /// URIs, sending codes and tokens over the network in clear text.
    #[test]
    fn https_servers_refuse_http_urls_except_on_this_machine() {
        let https = Overrides {
            public_url: Some("https://sso.example.com".into()),
            ..Overrides::default()
        };
        // The demo's own URLs are *.localhost: allowed.
        assert!(Settings::demo(&https).is_ok());
        for key in ["xd_receivers", "redirect_uris", "logout_uris"] {
            let from = format!("{key} = [\"http://news.localhost:8081/");
            let to = format!("{key} = [\"http://news.example.com/");
            let text = DEMO_TOML.replacen(&from, &to, 1);
            assert_ne!(text, DEMO_TOML, "{key}");
            let err = Settings::from_toml(&text, &https).unwrap_err().to_string();
            assert!(err.contains("must be https"), "{key}: {err}");
            // The same file behind an http public URL still loads.
            assert!(
                Settings::from_toml(&text, &Overrides::default()).is_ok(),
                "{key}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = demo_with("workers = 0", "workerz = 0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("workerz"), "{err}");
    }
}
