//! Configuration: one TOML file (the built-in demo when none is given) plus
//! environment overrides, parsed into validated [`Settings`].

mod access_token_key;
mod branding;
mod email;
mod raw;
mod settings;
mod source;
mod sso_service;
mod store_url;
mod token_auth_method;

use url::Url;

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

pub use self::access_token_key::AccessTokenKey;
pub use self::branding::Branding;
pub use self::email::EmailSettings;
pub use self::settings::{
    ApiApplication, ApiSettings, BackchannelSettings, Client, CookieSettings, Flow, LogFormat,
    MAX_SESSIONS_CEILING, RateLimitSettings, Release, ReplicaAcks, Settings, TtlSettings,
    UserField,
};
pub use self::source::{ConfigFiles, ConfigSource, DEMO_TOML, Overrides};
pub use self::sso_service::{ALLOWED_ALGORITHMS, ServiceKind, SsoService};
pub use self::store_url::{StoreSettings, redact_url};
pub use self::token_auth_method::TokenAuthMethod;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Segment};

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

    /// Every section of the file can come from `SSO_*` variables: the demo
    /// (which has them all) names no key the environment filter leaves out.
    #[test]
    fn every_top_level_key_can_come_from_the_environment() {
        let demo: toml::Table = toml::from_str(DEMO_TOML).unwrap();
        for key in demo.keys() {
            assert!(
                source::KEYS.contains(&key.as_str()),
                "SSO_{} is ignored",
                key.to_uppercase()
            );
        }
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

    #[test]
    fn a_client_may_have_its_own_refresh_lifetimes_and_auth_method() {
        let s = Settings::demo(&Overrides::default()).unwrap();
        let wiki = &s.clients[&ClientId::parse("wiki").unwrap()];
        assert_eq!(wiki.refresh_idle.as_secs(), 604_800);
        assert_eq!(wiki.refresh_absolute.as_secs(), 2_592_000);
        assert_eq!(wiki.auth_method, Some(TokenAuthMethod::ClientSecretBasic));
        let sport = &s.clients[&ClientId::parse("sport").unwrap()];
        assert_eq!(sport.refresh_idle, s.ttl.refresh_idle);
        assert_eq!(sport.auth_method, None);
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
            (
                "token_endpoint_auth_method = \"client_secret_basic\"",
                "token_endpoint_auth_method = \"none\"",
                "is for a public client",
            ),
            (
                "token_endpoint_auth_method = \"client_secret_basic\"",
                "token_endpoint_auth_method = \"private_key_jwt\"",
                "not one of client_secret_basic, client_secret_post, none",
            ),
            (
                "refresh_token_idle_secs = 604800",
                "refresh_token_idle_secs = 9999999",
                "shorter than their idle one",
            ),
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
        for key in [
            "xd_receivers",
            "redirect_uris",
            "logout_uris",
            "post_logout_redirect_uris",
        ] {
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
