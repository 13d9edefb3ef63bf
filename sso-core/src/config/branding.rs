//! How the server's hosted pages look: a name, a logo and two colours,
//! for the whole server (`[branding]`) and per client
//! (`[clients.branding]`, each key overriding the global one).

use serde::{Deserialize, Serialize};

use super::{ConfigError, invalid};

/// What the pages show, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// Shown as the pages' heading and title.
    pub name: String,
    /// An `https` (or loopback `http`) image URL.
    pub logo_url: Option<String>,
    /// `#rgb` or `#rrggbb`: buttons and links.
    pub accent_color: String,
    /// `#rgb` or `#rrggbb`: the page behind the form.
    pub background_color: String,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            name: "Sign-in".to_owned(),
            logo_url: None,
            accent_color: "#1a56db".to_owned(),
            background_color: "#f4f5f7".to_owned(),
        }
    }
}

/// `[branding]` or a client's `branding`, as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBranding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
}

impl RawBranding {
    /// `self` over `base`, checked; `at` names the table in errors.
    pub(super) fn over(&self, base: &Branding, at: &str) -> Result<Branding, ConfigError> {
        let name = match &self.name {
            Some(n) => {
                let n = n.trim();
                if n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control) {
                    return Err(invalid(format!(
                        "{at}.name must be 1 to 64 characters without control characters"
                    )));
                }
                n.to_owned()
            }
            None => base.name.clone(),
        };
        let logo_url = match &self.logo_url {
            Some(u) => Some(logo(at, u)?),
            None => base.logo_url.clone(),
        };
        let color = |key: &str, value: &Option<String>, base: &str| match value {
            Some(c) if is_color(c) => Ok(c.to_ascii_lowercase()),
            Some(c) => Err(invalid(format!(
                "{at}.{key} `{c}` must be a colour written #rgb or #rrggbb"
            ))),
            None => Ok(base.to_owned()),
        };
        Ok(Branding {
            name,
            logo_url,
            accent_color: color("accent_color", &self.accent_color, &base.accent_color)?,
            background_color: color(
                "background_color",
                &self.background_color,
                &base.background_color,
            )?,
        })
    }
}

fn is_color(c: &str) -> bool {
    c.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn logo(at: &str, raw: &str) -> Result<String, ConfigError> {
    let url = url::Url::parse(raw)
        .map_err(|e| invalid(format!("{at}.logo_url `{raw}` is not a URL: {e}")))?;
    let loopback = matches!(url.host_str(), Some(h) if h == "localhost" || h.ends_with(".localhost") || h == "127.0.0.1");
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(invalid(format!(
            "{at}.logo_url `{raw}` must be https (http only on this machine)"
        )));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_overrides_key_by_key() {
        let global = RawBranding {
            name: Some("Family".into()),
            accent_color: Some("#AA0000".into()),
            ..Default::default()
        }
        .over(&Branding::default(), "branding")
        .unwrap();
        assert_eq!(global.accent_color, "#aa0000");
        let client = RawBranding {
            name: Some("Wiki".into()),
            ..Default::default()
        }
        .over(&global, "clients.branding")
        .unwrap();
        assert_eq!(client.name, "Wiki");
        assert_eq!(client.accent_color, "#aa0000");
    }

    #[test]
    fn bad_values_are_named() {
        let bad = |raw: RawBranding| raw.over(&Branding::default(), "branding").unwrap_err();
        let e = bad(RawBranding {
            accent_color: Some("red; x".into()),
            ..Default::default()
        });
        assert!(e.to_string().contains("branding.accent_color"), "{e}");
        let e = bad(RawBranding {
            logo_url: Some("http://cdn.example/logo.png".into()),
            ..Default::default()
        });
        assert!(e.to_string().contains("logo_url"), "{e}");
        let e = bad(RawBranding {
            name: Some(" ".into()),
            ..Default::default()
        });
        assert!(e.to_string().contains("branding.name"), "{e}");
    }
}
