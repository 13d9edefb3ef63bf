//! The application API: roles, applications and SSO services.

use std::collections::{BTreeSet, HashMap};

use crate::config::{ALLOWED_ALGORITHMS, ServiceKind, SsoService};
use crate::config::{ApiApplication, ApiSettings, Client, ConfigError, ConfigFiles, invalid};
use crate::domain::{ClientId, RoleToken, ServiceId};

use super::checks::{secret_hash, secs};
use super::{RawApi, RawApplication, RawRole, RawService, Roles};

pub(super) fn known_role(roles: &Roles, owner: &str, role: &str) -> Result<(), ConfigError> {
    if roles.contains_key(role) {
        Ok(())
    } else {
        Err(invalid(format!("{owner} names unknown role `{role}`")))
    }
}

/// The roles, by name: each grants known role tokens.
pub(super) fn validate_roles(raw: Vec<RawRole>) -> Result<Roles, ConfigError> {
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
    pub(super) fn validate(&self, roles: &Roles) -> Result<ApiSettings, ConfigError> {
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
pub(super) fn validate_applications(
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
pub(super) fn validate_services(
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

impl RawService {
    pub(super) fn validate(
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
