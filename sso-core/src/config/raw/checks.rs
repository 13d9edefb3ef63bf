//! What several sections check: durations within bounds, registered URLs,
//! origins and secret hashes.

use std::time::Duration;

use url::Url;

use crate::config::{ConfigError, invalid};
use crate::domain::MachineSecretHash;

pub(super) fn secs(name: &str, value: u64, min: u64, max: u64) -> Result<Duration, ConfigError> {
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
pub(super) fn registered_url(
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
    } else if https_only && url.scheme() == "http" && !crate::config::is_local(&url) {
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
pub(super) fn secret_hash(owner: &str, text: &str) -> Result<MachineSecretHash, ConfigError> {
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
pub(super) fn origin(client: &str, raw: &str) -> Result<String, ConfigError> {
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
