//! The sites: flows and clients, their URLs, origins and secrets.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Branding, Client, ConfigError, Flow, UserField, invalid};
use crate::domain::{ClientId, Segment};

use super::checks::{origin, registered_url, secret_hash};
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
