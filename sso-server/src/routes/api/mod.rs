//! `/api/...`: the application API for SSO-backed sessions. Every action is
//! a `POST` of a urlencoded form, answered with the envelope of
//! [`crate::api`]; every action requires a role token of the caller.
//!
//! A user session (Bearer) acts only on its own user and session; an
//! application acts on any.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde_json::{Value, json};

use super::openapi::{answers, forms};
use super::params::{BODY_LIMIT, FormError, Params, read_form};
use super::profile::timestamp;
use crate::api::{ApiFailure, ApiStatus, Caller, ok, roles_of};
use crate::error::ApiError;
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::config::SsoService;
use sso_core::domain::SecretHash;
use sso_core::domain::{RoleToken, ServiceId, User, UserId};
use sso_core::sso_service::OwnIssuer;

mod session_actions;
mod user_actions;

pub use self::session_actions::*;
pub use self::user_actions::*;

/// The caller and the form of a request, or the envelope error.
async fn request(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(Caller, Params<'static>), ApiFailure> {
    let form: HashMap<String, String> = read_form(req, payload, BODY_LIMIT).await.map_err(|e| {
        let status = match e {
            FormError::TooLarge(_) => ApiStatus::PayloadTooLarge,
            FormError::TimedOut(_) => ApiStatus::RequestTimeout,
            _ => ApiStatus::BadRequest,
        };
        ApiFailure::new(status, e.to_string())
    })?;
    let caller = Caller::authenticate(state, req).await?;
    Ok((caller, Params::new(form)))
}

fn failure(status: ApiStatus, message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(status, message)
}

fn user_view(state: &AppState, user: &User) -> Value {
    json!({
        "id": user.id.to_string(),
        "email": Some(&user.email).filter(|e| !e.is_empty()),
        "username": user.username,
        "displayname": user.display_name,
        "roles": roles_of(state, user),
        "created": timestamp(user.created),
    })
}

/// The user an action names with `user`; a user session may name only
/// itself (and may leave `user` out).
async fn target_user(
    state: &AppState,
    caller: &Caller,
    p: &Params<'_>,
) -> Result<User, ApiFailure> {
    let named = p.parse_opt("user", UserId::parse)?;
    match (caller, named) {
        (Caller::User { user, .. }, None) => Ok((**user).clone()),
        (Caller::User { user, .. }, Some(id)) if id == user.id => Ok((**user).clone()),
        (Caller::User { .. }, Some(_)) => Err(failure(
            ApiStatus::NotAllowed,
            "a user session may only act on its own user",
        )),
        (Caller::Application { .. }, None) => Err(ApiError::MissingArgument("user").into()),
        // People who registered through the registration API are the SSO
        // server's, not the application's: reached only with `sso-users`,
        // and otherwise indistinguishable from an unknown id.
        (Caller::Application { .. }, Some(id)) => state
            .store
            .user(id)
            .await?
            .filter(|u| u.api_user || caller.tokens().contains(&RoleToken::SsoUsers))
            .ok_or_else(|| failure(ApiStatus::UserNotFound, format!("no user {id}"))),
    }
}

fn service<'s>(state: &'s AppState, p: &Params<'_>) -> Result<&'s SsoService, ApiFailure> {
    let raw = p.required("service")?;
    ServiceId::parse(raw)
        .ok()
        .and_then(|id| state.settings.sso_services.get(&id))
        .ok_or_else(|| {
            failure(
                ApiStatus::SsoServiceUnknown,
                format!("`{}` is not a configured SSO service", ApiError::echo(raw)),
            )
        })
}

/// Validates `response` for the service and returns the hash of its token.
fn sso_token(
    state: &AppState,
    service: &SsoService,
    p: &Params<'_>,
) -> Result<SecretHash, ApiFailure> {
    let response = p.required("response")?;
    let own = OwnIssuer {
        issuer: state.settings.issuer(),
        keys: &state.id_tokens,
        now: unix_now(),
    };
    let skew = state.settings.api.clock_skew.as_secs();
    let token = service.token_of(response, &own, skew).map_err(|e| {
        failure(
            ApiStatus::SsoResponseInvalid,
            format!(
                "the response is not valid for service `{}`: {e}",
                service.id
            ),
        )
    })?;
    Ok(SecretHash::of_sso_token(&token))
}

#[utoipa::path(
    post, path = "/api/logout/status", tag = "application API",
    request_body(content = forms::LogoutStatusForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`: where each site backend's back-channel logout of this sign-out stands", body = answers::LogoutStatusAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks `user-session-view`", body = answers::ApiFailureAnswer),
        (status = 404, description = "`SESSION_NOT_FOUND`: no such sign-out (or it is older than its retry window and a day)", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
    ),
)]
pub async fn logout_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSessionView)?;
    let signout = p.parse("signout", |raw| {
        sso_core::domain::parse_token(raw, 32, |c| c.is_ascii_hexdigit(), "a sign-out id")
    })?;
    let states = state.store.delivery_states(&signout).await?;
    // A sign-out of people the caller may not reach is as unknown as none.
    if states.deliveries.is_empty() || !may_see_any(&state, &caller, &states.users).await? {
        return Err(failure(
            ApiStatus::SessionNotFound,
            format!("no sign-out {signout}"),
        ));
    }
    let mut deliveries = states.deliveries;
    deliveries.sort_by(|a, b| a.0.cmp(&b.0));
    let deliveries: Vec<Value> = deliveries
        .into_iter()
        .map(|(client, s)| json!({ "client": client.as_str(), "state": s.as_str() }))
        .collect();
    Ok(ok(json!({ "deliveries": deliveries })))
}

/// Whether the caller may reach one of `users`, by the rules of
/// [`target_user`]: a user session itself; an application its own API
/// users, and people of the registration API with `sso-users`.
async fn may_see_any(
    state: &AppState,
    caller: &Caller,
    users: &[UserId],
) -> Result<bool, ApiFailure> {
    match caller {
        Caller::User { user, .. } => Ok(users.contains(&user.id)),
        Caller::Application { .. } if caller.tokens().contains(&RoleToken::SsoUsers) => {
            Ok(!users.is_empty())
        }
        Caller::Application { .. } => {
            for id in users {
                if state.store.user(*id).await?.is_some_and(|u| u.api_user) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

pub async fn unknown_action() -> Result<HttpResponse, ApiFailure> {
    Err(failure(ApiStatus::ActionUnknown, "no such API action"))
}

/// 405, with the `Allow` header RFC 9110 §15.5.6 requires.
pub async fn wrong_method() -> HttpResponse {
    let mut response =
        failure(ApiStatus::MethodNotAllowed, "API actions are POST requests").error_response();
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static("POST"),
    );
    response
}
