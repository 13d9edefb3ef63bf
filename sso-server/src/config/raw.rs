//! The file's shape, exactly as written, and its validation into `Settings`.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    ApiApplication, ApiSettings, BackchannelSettings, Client, ConfigError, ConfigFiles,
    CookieSettings, Flow, RateLimitSettings, ReplicaAcks, Settings, StoreSettings, TtlSettings,
    UserField, invalid,
};
use crate::access_token::AccessTokenKey;
use crate::domain::{ClientId, RoleToken, Segment, ServiceId};
use crate::machine_secret::MachineSecretHash;
use crate::sso_service::{ALLOWED_ALGORITHMS, ServiceKind, SsoService};

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
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRateLimit {
    pub attempts_per_ip: u64,
    pub ip_window_secs: u64,
    pub failures_per_account: u64,
    pub account_window_secs: u64,
    #[serde(default = "defaults::codes_per_session")]
    pub codes_per_session: u64,
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
    pub fn codes_per_session() -> u64 {
        60
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
    pub backchannel_logout_uri: Option<String>,
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    pub flows: Vec<String>,
    #[serde(default)]
    pub secret_hash: Option<String>,
}

impl RawCookie {
    /// `https`: the public URL is https, so the name gets `__Host-`.
    fn validate(&self, https: bool) -> Result<CookieSettings, ConfigError> {
        let cookie_name = &self.name;
        if cookie_name.is_empty()
            || !cookie_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid("cookie.name must be letters, digits, '_' or '-'"));
        }
        Ok(CookieSettings {
            name: if https {
                format!("__Host-{cookie_name}")
            } else {
                cookie_name.clone()
            },
            session_ttl: secs(
                "cookie.session_ttl_secs",
                self.session_ttl_secs,
                60,
                31_536_000,
            )?,
            persistent_ttl: secs(
                "cookie.persistent_ttl_secs",
                self.persistent_ttl_secs,
                60,
                31_536_000,
            )?,
        })
    }
}

impl RawTtl {
    fn validate(&self) -> Result<TtlSettings, ConfigError> {
        Ok(TtlSettings {
            sso_code: secs("ttl.sso_code_secs", self.sso_code_secs, 1, 60)?,
            authorization_code: secs(
                "ttl.authorization_code_secs",
                self.authorization_code_secs,
                1,
                60,
            )?,
            access_token: secs("ttl.access_token_secs", self.access_token_secs, 60, 86_400)?,
        })
    }
}

impl RawRateLimit {
    fn validate(&self) -> Result<RateLimitSettings, ConfigError> {
        let counts = [
            self.attempts_per_ip,
            self.failures_per_account,
            self.codes_per_session,
            self.codes_per_client,
            self.auth_failures_per_ip,
            self.auth_failures_per_client,
        ];
        if counts.contains(&0) {
            return Err(invalid("rate_limit counts must be at least 1"));
        }
        Ok(RateLimitSettings {
            attempts_per_ip: self.attempts_per_ip,
            ip_window: secs("rate_limit.ip_window_secs", self.ip_window_secs, 1, 86_400)?,
            failures_per_account: self.failures_per_account,
            account_window: secs(
                "rate_limit.account_window_secs",
                self.account_window_secs,
                1,
                86_400,
            )?,
            codes_per_session: self.codes_per_session,
            codes_per_client: self.codes_per_client,
            auth_failures_per_ip: self.auth_failures_per_ip,
            auth_failures_per_client: self.auth_failures_per_client,
            auth_window: secs(
                "rate_limit.auth_window_secs",
                self.auth_window_secs,
                1,
                86_400,
            )?,
            auth_failure_delay: match self.auth_failure_delay_ms {
                ms @ 0..=10_000 => Duration::from_millis(ms),
                ms => {
                    return Err(invalid(format!(
                        "rate_limit.auth_failure_delay_ms = {ms} is outside 0..=10000 milliseconds"
                    )));
                }
            },
        })
    }
}

/// The flows, by name; each names known `user_data` fields and at least one
/// version and locale, and no name is defined twice.
fn validate_flows(raw: Vec<RawFlow>) -> Result<HashMap<String, Flow>, ConfigError> {
    let mut flows = HashMap::new();
    for f in raw {
        let user_data = f
            .user_data
            .iter()
            .map(|field| match field.as_str() {
                "email" => Ok(UserField::Email),
                "displayName" => Ok(UserField::DisplayName),
                "uuid" => Ok(UserField::Uuid),
                other => Err(invalid(format!(
                    "flow `{}`: user_data field `{other}` is not one of email, displayName, uuid",
                    f.name
                ))),
            })
            .collect::<Result<_, _>>()?;
        if f.versions.is_empty() || f.locales.is_empty() {
            return Err(invalid(format!(
                "flow `{}` needs at least one version and one locale",
                f.name
            )));
        }
        let flow = Flow {
            name: f.name.clone(),
            versions: f.versions,
            locales: f.locales,
            user_data,
        };
        if flows.insert(f.name.clone(), flow).is_some() {
            return Err(invalid(format!("flow `{}` is defined twice", f.name)));
        }
    }
    Ok(flows)
}

/// The clients, by id: each names a segment, known flows, registered URLs
/// (https behind an https public URL, except on this machine) and at most
/// 255 logout URIs.
fn validate_clients(
    raw: Vec<RawClient>,
    flows: &HashMap<String, Flow>,
    https_only: bool,
) -> Result<HashMap<ClientId, Client>, ConfigError> {
    let mut clients = HashMap::new();
    for c in raw {
        let name = c.id.clone();
        let id = ClientId::parse(&c.id).map_err(|e| invalid(format!("client id `{name}` {e}")))?;
        let segment = Segment::parse(&c.segment)
            .map_err(|e| invalid(format!("client `{name}`: segment {e}")))?;
        let mut federates_with = BTreeSet::from([segment.clone()]);
        for s in &c.federates_with {
            federates_with.insert(
                Segment::parse(s)
                    .map_err(|e| invalid(format!("client `{name}`: segment `{s}` {e}")))?,
            );
        }
        let urls = |key: &str, list: &[String]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|u| registered_url(&name, key, u, https_only))
                .collect()
        };
        let logout_uris = urls("logout_uri", &c.logout_uris)?;
        if logout_uris.len() > usize::from(u8::MAX) {
            return Err(invalid(format!("client `{name}`: at most 255 logout_uris")));
        }
        for f in &c.flows {
            if !flows.contains_key(f) {
                return Err(invalid(format!("client `{name}` names unknown flow `{f}`")));
            }
        }
        let secret_hash = c
            .secret_hash
            .as_deref()
            .map(|h| secret_hash(&format!("client `{name}`"), h))
            .transpose()?;
        let client = Client {
            id: id.clone(),
            origins: c
                .origins
                .iter()
                .map(|o| origin(&name, o))
                .collect::<Result<_, _>>()?,
            segment,
            federates_with,
            xd_receivers: urls("xd_receiver", &c.xd_receivers)?,
            redirect_uris: urls("redirect_uri", &c.redirect_uris)?,
            logout_uris,
            backchannel_logout_uri: c
                .backchannel_logout_uri
                .as_deref()
                .map(|u| registered_url(&name, "backchannel_logout_uri", u, https_only))
                .transpose()?,
            backchannel_logout_session_required: c.backchannel_logout_session_required,
            flows: c.flows,
            secret_hash,
        };
        if clients.insert(id, client).is_some() {
            return Err(invalid(format!("client `{name}` is defined twice")));
        }
    }
    Ok(clients)
}

type Roles = HashMap<String, BTreeSet<RoleToken>>;

fn known_role(roles: &Roles, owner: &str, role: &str) -> Result<(), ConfigError> {
    if roles.contains_key(role) {
        Ok(())
    } else {
        Err(invalid(format!("{owner} names unknown role `{role}`")))
    }
}

/// The roles, by name: each grants known role tokens.
fn validate_roles(raw: Vec<RawRole>) -> Result<Roles, ConfigError> {
    let mut roles = HashMap::new();
    for r in raw {
        let tokens = r
            .tokens
            .iter()
            .map(|t| {
                RoleToken::parse(t).ok_or_else(|| {
                    let known: Vec<&str> = RoleToken::ALL.iter().map(|t| t.as_str()).collect();
                    invalid(format!(
                        "role `{}`: token `{t}` is not one of {}",
                        r.name,
                        known.join(", ")
                    ))
                })
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        if roles.insert(r.name.clone(), tokens).is_some() {
            return Err(invalid(format!("role `{}` is defined twice", r.name)));
        }
    }
    Ok(roles)
}

impl RawApi {
    fn validate(&self, roles: &Roles) -> Result<ApiSettings, ConfigError> {
        known_role(roles, "api.default_role", &self.default_role)?;
        Ok(ApiSettings {
            default_role: self.default_role.clone(),
            session_ttl: secs(
                "api.session_ttl_secs",
                self.session_ttl_secs,
                60,
                31_536_000,
            )?,
            clock_skew: secs("api.clock_skew_secs", self.clock_skew_secs, 0, 300)?,
        })
    }
}

/// The applications of the application API, by id: each with a secret
/// hash and known roles.
fn validate_applications(
    raw: Vec<RawApplication>,
    roles: &Roles,
) -> Result<HashMap<String, ApiApplication>, ConfigError> {
    let mut applications = HashMap::new();
    for a in raw {
        ClientId::parse(&a.id).map_err(|e| invalid(format!("application id `{}` {e}", a.id)))?;
        let hash = secret_hash(&format!("application `{}`", a.id), &a.secret_hash)?;
        for role in &a.roles {
            known_role(roles, &format!("application `{}`", a.id), role)?;
        }
        let app = ApiApplication {
            id: a.id.clone(),
            secret_hash: hash,
            roles: a.roles,
        };
        if applications.insert(a.id.clone(), app).is_some() {
            return Err(invalid(format!("application `{}` is defined twice", a.id)));
        }
    }
    Ok(applications)
}

/// The SSO services whose responses the application API accepts, by id.
fn validate_services(
    raw: Vec<RawService>,
    files: &ConfigFiles,
    clients: &HashMap<ClientId, Client>,
) -> Result<HashMap<ServiceId, SsoService>, ConfigError> {
    let mut sso_services = HashMap::new();
    for raw in raw {
        let service = raw.validate(files, clients)?;
        let id = service.id.clone();
        if sso_services.insert(id.clone(), service).is_some() {
            return Err(invalid(format!("sso_service `{id}` is defined twice")));
        }
    }
    Ok(sso_services)
}

fn secs(name: &str, value: u64, min: u64, max: u64) -> Result<Duration, ConfigError> {
    if !(min..=max).contains(&value) {
        return Err(invalid(format!(
            "{name} = {value} is outside {min}..={max} seconds"
        )));
    }
    Ok(Duration::from_secs(value))
}

/// An absolute http(s) URL with no fragment and no credentials. Kept as the
/// exact string written: requests must repeat it byte for byte. Behind an
/// https public URL (`https_only`), plain http is refused unless the host is
/// this machine: codes and tokens must not cross the network in clear text.
fn registered_url(
    client: &str,
    key: &str,
    raw: &str,
    https_only: bool,
) -> Result<String, ConfigError> {
    let url = Url::parse(raw).map_err(|e| {
        invalid(format!(
            "client `{client}`: {key} `{raw}` is not a URL: {e}"
        ))
    })?;
    let problem = if !matches!(url.scheme(), "http" | "https") {
        Some("must be http or https")
    } else if https_only && url.scheme() == "http" && !super::is_local(&url) {
        Some("must be https when public_url is (http only for loopback and *.localhost)")
    } else if url.fragment().is_some() {
        Some("must not have a fragment")
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("must not carry credentials")
    } else {
        None
    };
    match problem {
        Some(p) => Err(invalid(format!("client `{client}`: {key} `{raw}` {p}"))),
        None => Ok(raw.to_owned()),
    }
}

/// A client's or application's `secret_hash`; an argon2id one still loads,
/// with a warning to replace it.
fn secret_hash(owner: &str, text: &str) -> Result<MachineSecretHash, ConfigError> {
    let hash = MachineSecretHash::parse(text).map_err(|e| invalid(format!("{owner}: {e}")))?;
    if hash.is_legacy() {
        tracing::warn!(
            "{owner}: secret_hash is an argon2id hash; replace the secret with one from \
             `sso-server gen-secret` (a SHA-256 hash): argon2id makes every wrong secret cost \
             a full hash"
        );
    }
    Ok(hash)
}

/// An origin as browsers send it: scheme://host[:port], nothing more.
fn origin(client: &str, raw: &str) -> Result<String, ConfigError> {
    let url = Url::parse(raw).map_err(|e| {
        invalid(format!(
            "client `{client}`: origin `{raw}` is not a URL: {e}"
        ))
    })?;
    if url.origin().ascii_serialization() != raw {
        return Err(invalid(format!(
            "client `{client}`: origin `{raw}` must be written as {}",
            url.origin().ascii_serialization()
        )));
    }
    Ok(raw.to_owned())
}

impl RawConfig {
    pub fn validate(self, files: &ConfigFiles) -> Result<Settings, ConfigError> {
        let listen = self
            .listen
            .parse()
            .map_err(|e| invalid(format!("listen `{}`: {e}", self.listen)))?;
        let admin_listen = match self.admin_listen.as_deref() {
            None | Some("") => None,
            Some(addr) => {
                let addr: std::net::SocketAddr = addr
                    .parse()
                    .map_err(|e| invalid(format!("admin_listen `{addr}`: {e}")))?;
                if addr == listen && addr.port() != 0 {
                    return Err(invalid(
                        "admin_listen must differ from listen: metrics stay off the public port",
                    ));
                }
                Some(addr)
            }
        };
        let public_url = Url::parse(&self.public_url)
            .map_err(|e| invalid(format!("public_url `{}`: {e}", self.public_url)))?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.path() != "/" {
            return Err(invalid(format!(
                "public_url `{}` must be an http(s) URL without a path",
                self.public_url
            )));
        }
        let store = StoreSettings::parse(&self.store).map_err(invalid)?;
        // A cluster store means several instances: a key generated per
        // process would make each refuse the others' tokens.
        if matches!(store, StoreSettings::RedisCluster(_)) {
            for (name, set) in [
                ("access_token_key", self.access_token_key.is_some()),
                ("id_token_keys", self.id_token_keys.is_some()),
            ] {
                if !set {
                    return Err(invalid(format!(
                        "{name} must be set with a redis+cluster:// store: every instance \
                         needs the same one, or each refuses the tokens the others issue"
                    )));
                }
            }
        }

        // One validator per section; what one section needs of another
        // (https, the flows, the roles, the clients) is passed in.
        let https = public_url.scheme() == "https";
        let cookie = self.cookie.validate(https)?;
        let ttl = self.ttl.validate()?;
        let rate_limit = self.rate_limit.validate()?;
        let flows = validate_flows(self.flows)?;
        let clients = validate_clients(self.clients, &flows, https)?;
        let roles = validate_roles(self.roles)?;
        let api = self.api.validate(&roles)?;
        let backchannel = self.backchannel.validate()?;
        let replica_acks = self.durability.validate(&store)?;
        let applications = validate_applications(self.applications, &roles)?;
        let sso_services = validate_services(self.sso_services, files, &clients)?;

        Ok(Settings {
            log_format: self.log_format,
            listen,
            admin_listen,
            public_url,
            store,
            workers: self.workers,
            max_sessions_per_user: match self.max_sessions_per_user {
                n if n > super::MAX_SESSIONS_CEILING => {
                    return Err(invalid(format!(
                        "max_sessions_per_user must be at most {} (0 = no limit of your own)",
                        super::MAX_SESSIONS_CEILING
                    )));
                }
                n => n,
            },
            assets_dir: match self.assets_dir {
                Some(dir) if dir.is_empty() => return Err(invalid("assets_dir must not be empty")),
                dir => dir.map(Into::into),
            },
            access_token_key: self
                .access_token_key
                .as_deref()
                .map(AccessTokenKey::parse)
                .transpose()
                .map_err(invalid)?,
            id_token_keys: match self.id_token_keys {
                Some(path) if path.is_empty() => {
                    return Err(invalid("id_token_keys must not be empty"));
                }
                path => path.map(Into::into),
            },
            cookie,
            ttl,
            rate_limit,
            flows,
            clients,
            api,
            backchannel,
            replica_acks,
            roles,
            applications,
            sso_services,
        })
    }
}

impl RawService {
    fn validate(
        self,
        files: &ConfigFiles,
        clients: &HashMap<ClientId, Client>,
    ) -> Result<SsoService, ConfigError> {
        let service_id = |id: &str| {
            ServiceId::parse(id).map_err(|e| invalid(format!("sso_service id `{id}` {e}")))
        };
        match self {
            Self::Federated { id, audiences } => {
                for aud in &audiences {
                    let known = ClientId::parse(aud)
                        .ok()
                        .is_some_and(|c| clients.contains_key(&c));
                    if !known {
                        return Err(invalid(format!(
                            "sso_service `{id}`: audience `{aud}` is not a configured client"
                        )));
                    }
                }
                if audiences.is_empty() {
                    return Err(invalid(format!(
                        "sso_service `{id}` needs at least one audience"
                    )));
                }
                Ok(SsoService {
                    id: service_id(&id)?,
                    kind: ServiceKind::Federated { audiences },
                })
            }
            Self::Oidc {
                id,
                issuer,
                audience,
                algorithms,
                jwks,
                jwks_file,
            } => {
                let text = match (jwks, jwks_file) {
                    (Some(text), None) => text,
                    (None, Some(file)) => files.read(&file)?,
                    _ => {
                        return Err(invalid(format!(
                            "sso_service `{id}`: give exactly one of `jwks` and `jwks_file`"
                        )));
                    }
                };
                let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&text)
                    .map_err(|e| invalid(format!("sso_service `{id}`: JWKS: {e}")))?;
                if jwks.keys.is_empty() {
                    return Err(invalid(format!("sso_service `{id}`: the JWKS has no keys")));
                }
                let names = algorithms.unwrap_or_else(|| vec!["ES256".into(), "RS256".into()]);
                let algorithms = names
                    .iter()
                    .map(|name| {
                        name.parse()
                            .ok()
                            .filter(|a| ALLOWED_ALGORITHMS.contains(a))
                            .ok_or_else(|| {
                                invalid(format!(
                                    "sso_service `{id}`: algorithm `{name}` is not allowed \
                                     (asymmetric ones only: ES256, ES384, RS256, RS384, RS512, PS256)"
                                ))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if issuer.is_empty() || audience.is_empty() {
                    return Err(invalid(format!(
                        "sso_service `{id}`: issuer and audience must not be empty"
                    )));
                }
                Ok(SsoService {
                    id: service_id(&id)?,
                    kind: ServiceKind::Oidc {
                        issuer,
                        audience,
                        jwks,
                        algorithms,
                    },
                })
            }
        }
    }
}
