//! Who calls the API: an application (HTTP Basic, id and secret from the
//! configuration) or a user session from `session/createwithsso` (Bearer).
//! Either way the caller ends up with a set of role tokens.

use std::collections::BTreeSet;

use actix_web::HttpRequest;

use super::{ApiFailure, ApiStatus};
use crate::credentials::{Authorization, CredentialsError};
use crate::state::AppState;
use secrecy::ExposeSecret;
use sso_core::clock::unix_now;
use sso_core::domain::{RoleToken, SessionId, SessionTarget, User};
use sso_core::domain::{Secret, SecretHash};
use sso_core::machine_secret::{self, Verdict};

pub enum Caller {
    Application {
        id: String,
        tokens: BTreeSet<RoleToken>,
    },
    User {
        user: Box<User>,
        session: SecretHash,
        tokens: BTreeSet<RoleToken>,
    },
}

fn failed(message: &str) -> ApiFailure {
    ApiFailure::new(ApiStatus::AuthenticationFailed, message)
}

impl Caller {
    pub async fn authenticate(state: &AppState, req: &HttpRequest) -> Result<Self, ApiFailure> {
        let authorization = Authorization::of(req).ok_or_else(|| {
            failed("send application credentials (HTTP Basic) or a session (Bearer)")
        })?;
        let caller = match authorization {
            Ok(Authorization::Bearer(token)) => return Self::session(state, &token).await,
            Err(e @ CredentialsError::Scheme) => return Err(failed(&e.to_string())),
            Ok(Authorization::Basic { id, secret }) => {
                Self::application(state, req, &id, secret.expose_secret()).await
            }
            Err(e @ CredentialsError::Basic) => Err(failed(&e.to_string())),
        };
        // Every refusal of Basic credentials is paced, known application or
        // not, so the delay tells nothing and a flood waits instead of
        // taking CPU.
        if caller.is_err() {
            state.auth_pacing.pace().await;
        }
        caller
    }

    async fn application(
        state: &AppState,
        req: &HttpRequest,
        id: &str,
        secret: &str,
    ) -> Result<Self, ApiFailure> {
        const WRONG: &str = "unknown application or wrong secret";
        let app = state
            .settings
            .applications
            .get(id)
            .ok_or_else(|| failed(WRONG))?;
        let owner = format!("application:{id}");
        let ip = req.peer_addr().map(|a| a.ip());
        match machine_secret::authenticate(
            state.secret_checker(),
            ip,
            &owner,
            &app.secret_hash,
            secret,
        )
        .await?
        {
            Verdict::Valid => {}
            Verdict::Wrong => return Err(failed(WRONG)),
            Verdict::Throttled(secs) => {
                return Err(ApiFailure::new(
                    ApiStatus::RateLimited,
                    format!("too many failed authentications; try again in {secs} seconds"),
                ));
            }
        }
        Ok(Self::Application {
            id: app.id.clone(),
            tokens: state.settings.role_tokens(&app.roles),
        })
    }

    async fn session(state: &AppState, token: &str) -> Result<Self, ApiFailure> {
        const GONE: &str = "the session is unknown, expired or deleted";
        let secret = Secret::parse(token).map_err(|_| failed(GONE))?;
        let sid = secret.hash();
        let session = state
            .store
            .api_session(&sid)
            .await?
            .filter(|s| s.expires > unix_now())
            .ok_or_else(|| failed(GONE))?;
        // Used now: the session limit ends the least recently used first.
        let target = SessionTarget::Api { sid: sid.clone() };
        let id = SessionId::of_api(&sid);
        let (user, touched) = tokio::join!(
            state.store.user(session.user),
            state
                .store
                .touch_session(session.user, &id, &target, unix_now())
        );
        touched?;
        let user = user?.ok_or_else(|| failed(GONE))?;
        let tokens = state.settings.role_tokens(&roles_of(state, &user));
        Ok(Self::User {
            user: Box::new(user),
            session: sid,
            tokens,
        })
    }

    /// Refuses the action unless the caller holds `token`.
    pub fn require(&self, token: RoleToken) -> Result<(), ApiFailure> {
        if self.tokens().contains(&token) {
            Ok(())
        } else {
            Err(ApiFailure::new(
                ApiStatus::NotAllowed,
                format!(
                    "this action needs a role with the `{}` token",
                    token.as_str()
                ),
            ))
        }
    }

    pub fn tokens(&self) -> &BTreeSet<RoleToken> {
        match self {
            Self::Application { tokens, .. } | Self::User { tokens, .. } => tokens,
        }
    }

    /// Log name of the caller.
    pub fn name(&self) -> String {
        match self {
            Self::Application { id, .. } => format!("application {id}"),
            Self::User { user, .. } => format!("user {}", user.id),
        }
    }
}

/// A user's roles; none means the configured default role.
pub fn roles_of(state: &AppState, user: &User) -> Vec<String> {
    if user.roles.is_empty() {
        vec![state.settings.api.default_role.clone()]
    } else {
        user.roles.clone()
    }
}
