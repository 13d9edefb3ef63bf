//! `[email]`: how the server sends mail to people (email verification and
//! password reset). Without it, no mail is sent and the features that need
//! mail say so.

use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ConfigError, invalid};

/// `[email]`, checked.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// `smtp://` or `smtps://` with lettre's options (`?tls=required`),
    /// credentials included: never printed.
    pub smtp_url: SecretString,
    /// The `From` of every mail.
    pub from: Mailbox,
    /// How long a verification link works.
    pub verification_ttl: Duration,
    /// How long a password-reset link works.
    pub reset_ttl: Duration,
}

/// `[email]` as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    pub smtp_url: String,
    pub from: String,
    #[serde(default = "day")]
    pub verification_ttl_secs: u64,
    #[serde(default = "half_hour")]
    pub reset_ttl_secs: u64,
}

fn day() -> u64 {
    86_400
}
fn half_hour() -> u64 {
    1_800
}

impl RawEmail {
    pub(super) fn validate(self) -> Result<EmailSettings, ConfigError> {
        let url = Url::parse(&self.smtp_url)
            .map_err(|e| invalid(format!("email.smtp_url is not a URL: {e}")))?;
        let host = url.host_str().unwrap_or_default();
        if host.is_empty() {
            return Err(invalid("email.smtp_url must name a host"));
        }
        let tls = url.scheme() == "smtps"
            || url
                .query_pairs()
                .any(|(k, v)| k == "tls" && (v == "required" || v == "opportunistic"));
        match url.scheme() {
            "smtp" | "smtps" => {}
            other => {
                return Err(invalid(format!(
                    "email.smtp_url must be smtp:// or smtps://, not {other}://"
                )));
            }
        }
        // Reset links are bearer secrets: they cross the network in TLS,
        // except to a relay on this machine.
        if !tls && !is_loopback(host) {
            return Err(invalid(format!(
                "email.smtp_url sends to {host} without TLS: use smtps:// or add ?tls=required"
            )));
        }
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&self.smtp_url)
            .map_err(|e| invalid(format!("email.smtp_url: {e}")))?;
        let from: Mailbox = self.from.parse().map_err(|e| {
            invalid(format!(
                "email.from `{}` is not a mailbox (\"Name <address>\" or an address): {e}",
                self.from
            ))
        })?;
        let ttl = |key: &str, secs: u64, max: u64| {
            if secs == 0 || secs > max {
                Err(invalid(format!("email.{key} must be 1 to {max}")))
            } else {
                Ok(Duration::from_secs(secs))
            }
        };
        Ok(EmailSettings {
            smtp_url: SecretString::from(self.smtp_url),
            from,
            verification_ttl: ttl(
                "verification_ttl_secs",
                self.verification_ttl_secs,
                7 * 86_400,
            )?,
            reset_ttl: ttl("reset_ttl_secs", self.reset_ttl_secs, 86_400)?,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl EmailSettings {
    pub fn smtp_url(&self) -> &str {
        self.smtp_url.expose_secret()
    }

    /// Sends through another relay (tests point a server at their own sink).
    pub fn relay_at(&mut self, smtp_url: &str) {
        self.smtp_url = SecretString::from(smtp_url.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(url: &str, from: &str) -> RawEmail {
        RawEmail {
            smtp_url: url.to_owned(),
            from: from.to_owned(),
            verification_ttl_secs: day(),
            reset_ttl_secs: half_hour(),
        }
    }

    #[test]
    fn a_relay_elsewhere_needs_tls() {
        let e = raw("smtp://mail.example.com:25", "a@example.com")
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("without TLS"), "{e}");
        for ok in [
            "smtps://user:pw@mail.example.com",
            "smtp://mail.example.com:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://mail.localhost:2525",
        ] {
            raw(ok, "Sign-in <no-reply@example.com>")
                .validate()
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn bad_values_are_named() {
        let bad = |url: &str, from: &str| raw(url, from).validate().unwrap_err().to_string();
        assert!(bad("http://127.0.0.1", "a@example.com").contains("smtp://"));
        assert!(bad("not a url", "a@example.com").contains("email.smtp_url"));
        assert!(bad("smtp://127.0.0.1", "no at sign").contains("email.from"));
        let mut r = raw("smtp://127.0.0.1", "a@example.com");
        r.reset_ttl_secs = 0;
        assert!(
            r.validate()
                .unwrap_err()
                .to_string()
                .contains("reset_ttl_secs")
        );
    }

    #[test]
    fn the_url_is_never_printed() {
        let s = raw("smtps://user:hunter2@mail.example.com", "a@example.com")
            .validate()
            .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
