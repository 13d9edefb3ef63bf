//! Into `Settings`: the sections with limits, and the whole file.

use std::time::Duration;

use url::Url;

use crate::config::AccessTokenKey;
use crate::config::{
    ConfigError, ConfigFiles, CookieSettings, RateLimitSettings, Settings, StoreSettings,
    TtlSettings, invalid,
};

use super::api::{validate_applications, validate_roles, validate_services};
use super::checks::secs;
use super::sites::{validate_clients, validate_flows};
use super::{RawConfig, RawCookie, RawEmail, RawRateLimit, RawTtl};
use crate::config::Branding;

impl RawCookie {
    /// `https`: the public URL is https, so the name gets `__Host-`.
    pub(super) fn validate(&self, https: bool) -> Result<CookieSettings, ConfigError> {
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
    pub(super) fn validate(&self) -> Result<TtlSettings, ConfigError> {
        Ok(TtlSettings {
            sso_code: secs("ttl.sso_code_secs", self.sso_code_secs, 1, 60)?,
            authorization_code: secs(
                "ttl.authorization_code_secs",
                self.authorization_code_secs,
                1,
                60,
            )?,
            access_token: secs("ttl.access_token_secs", self.access_token_secs, 60, 86_400)?,
            refresh_idle: secs(
                "ttl.refresh_token_idle_secs",
                self.refresh_token_idle_secs,
                1,
                31_536_000,
            )?,
            refresh_absolute: secs(
                "ttl.refresh_token_absolute_secs",
                self.refresh_token_absolute_secs,
                self.refresh_token_idle_secs.max(1),
                31_536_000,
            )?,
        })
    }
}

impl RawRateLimit {
    pub(super) fn validate(&self) -> Result<RateLimitSettings, ConfigError> {
        if self.codes_per_session.is_some() {
            tracing::warn!(
                "rate_limit.codes_per_session no longer has an effect: authorization codes \
                 are sealed and take no store space; remove it"
            );
        }
        let counts = [
            self.attempts_per_ip,
            self.failures_per_account,
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
        let branding = self.branding.over(&Branding::default(), "branding")?;
        let clients = validate_clients(self.clients, &flows, https, &branding, &ttl)?;
        let roles = validate_roles(self.roles)?;
        let api = self.api.validate(&roles)?;
        let backchannel = self.backchannel.validate()?;
        let replica_acks = self.durability.validate(&store)?;
        let applications = validate_applications(self.applications, &roles)?;
        let sso_services = validate_services(self.sso_services, files, &clients)?;
        let email = self.email.map(RawEmail::validate).transpose()?;

        Ok(Settings {
            log_format: self.log_format,
            listen,
            admin_listen,
            public_url,
            store,
            workers: self.workers,
            max_sessions_per_user: match self.max_sessions_per_user {
                n if n > crate::config::MAX_SESSIONS_CEILING => {
                    return Err(invalid(format!(
                        "max_sessions_per_user must be at most {} (0 = no limit of your own)",
                        crate::config::MAX_SESSIONS_CEILING
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
            branding,
            email,
        })
    }
}
