//! The sites: flows and clients, their URLs, origins and secrets.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::config::{
    Branding, Client, ConfigError, Flow, TokenAuthMethod, TtlSettings, UserField, invalid,
};
use crate::domain::{ClientId, Segment};

use super::checks::{origin, registered_url, secret_hash, secs};
use super::{RawClient, RawFlow};

/// The flows, by name; each names known `user_data` fields and at least one
/// version and locale, and no name is defined twice.
pub(super) fn validate_flows(raw: Vec<RawFlow>) -> Result<HashMap<String, Flow>, ConfigError> {
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
            require_verified_email: f.require_verified_email,
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
pub(super) fn validate_clients(
    raw: Vec<RawClient>,
    flows: &HashMap<String, Flow>,
    https_only: bool,
    branding: &Branding,
    ttl: &TtlSettings,
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
        let mut refresh_tokens = false;
        for grant in &c.grant_types {
            match grant.as_str() {
                "authorization_code" => {}
                "refresh_token" => refresh_tokens = true,
                other => {
                    return Err(invalid(format!(
                        "client `{name}`: grant type `{other}` is not one of authorization_code, refresh_token"
                    )));
                }
            }
        }
        let secret_hash = c
            .secret_hash
            .as_deref()
            .map(|h| secret_hash(&format!("client `{name}`"), h))
            .transpose()?;
        let auth_method = auth_method(
            &name,
            c.token_endpoint_auth_method.as_deref(),
            secret_hash.is_some(),
        )?;
        let (refresh_idle, refresh_absolute) = refresh_lifetimes(&name, &c, ttl)?;
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
            post_logout_redirect_uris: urls(
                "post_logout_redirect_uri",
                &c.post_logout_redirect_uris,
            )?,
            backchannel_logout_uri: c
                .backchannel_logout_uri
                .as_deref()
                .map(|u| registered_url(&name, "backchannel_logout_uri", u, https_only))
                .transpose()?,
            backchannel_logout_session_required: c.backchannel_logout_session_required,
            refresh_tokens,
            flows: c.flows,
            secret_hash,
            auth_method,
            refresh_idle,
            refresh_absolute,
            require_verified_email: c.require_verified_email,
            branding: match &c.branding {
                Some(raw) => raw.over(branding, &format!("client `{name}` branding"))?,
                None => branding.clone(),
            },
        };
        if clients.insert(id, client).is_some() {
            return Err(invalid(format!("client `{name}` is defined twice")));
        }
    }
    Ok(clients)
}

/// `token_endpoint_auth_method`, checked against whether the client has a
/// secret: `none` is a public client's, the others a confidential one's.
fn auth_method(
    name: &str,
    raw: Option<&str>,
    has_secret: bool,
) -> Result<Option<TokenAuthMethod>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let method = TokenAuthMethod::parse(raw).ok_or_else(|| {
        invalid(format!(
            "client `{name}`: token_endpoint_auth_method `{raw}` is not one of client_secret_basic, client_secret_post, none"
        ))
    })?;
    match (method, has_secret) {
        (TokenAuthMethod::None, true) => Err(invalid(format!(
            "client `{name}`: token_endpoint_auth_method `none` is for a public client, but it has a secret_hash"
        ))),
        (TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost, false) => {
            Err(invalid(format!(
                "client `{name}`: token_endpoint_auth_method `{raw}` needs a secret_hash"
            )))
        }
        _ => Ok(Some(method)),
    }
}

/// The client's refresh-token lifetimes: its own, else `[ttl]`'s; the
/// absolute one never shorter than the idle one.
fn refresh_lifetimes(
    name: &str,
    c: &RawClient,
    ttl: &TtlSettings,
) -> Result<(Duration, Duration), ConfigError> {
    let key = |k: &str| format!("client `{name}`: {k}");
    let idle = match c.refresh_token_idle_secs {
        Some(v) => secs(&key("refresh_token_idle_secs"), v, 1, 31_536_000)?,
        None => ttl.refresh_idle,
    };
    let absolute = match c.refresh_token_absolute_secs {
        Some(v) => secs(&key("refresh_token_absolute_secs"), v, 1, 31_536_000)?,
        None => ttl.refresh_absolute,
    };
    if absolute < idle {
        return Err(invalid(format!(
            "client `{name}`: the refresh tokens' absolute lifetime ({} s) is shorter than their idle one ({} s)",
            absolute.as_secs(),
            idle.as_secs()
        )));
    }
    Ok((idle, absolute))
}
