//! Where a configuration comes from: a file or the built-in demo, the files
//! it names, and the flags' and `SSO_*` variables' values over it.

use std::path::Path;

use super::settings::LogFormat;
use super::{ConfigError, invalid, raw};

/// The built-in demo configuration (also the documented example).
pub const DEMO_TOML: &str = include_str!("../../config/demo.toml");

/// Files the demo configuration names, built in with it.
pub(super) const DEMO_FILES: [(&str, &str); 1] = [(
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
    pub(super) text: String,
    pub(super) files: ConfigFiles,
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

/// The file's text parsed, with the flags' and environment's values over it.
pub(super) fn raw_with_overrides(
    text: &str,
    overrides: &Overrides,
) -> Result<raw::RawConfig, ConfigError> {
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
pub(super) const KEYS: [&str; 23] = [
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
    "durability",
    "branding",
    "email",
];

/// The file with the `SSO_*` environment over it (figment): a variable's
/// value is read as a TOML-like value (`SSO_WORKERS=4` is a number,
/// `SSO_STORE=redis://…` a string, `SSO_CLIENTS=[{…}]` an array).
pub(super) fn with_environment(text: &str) -> Result<raw::RawConfig, ConfigError> {
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
