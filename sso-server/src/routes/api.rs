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
use crate::clock::unix_now;
use crate::domain::{
    ApiSession, DisplayName, Email, IndexEntry, Password, RoleToken, ServiceId, SessionId,
    SessionTarget, User, UserId, Username,
};
use crate::error::ApiError;
use crate::secrets::{Secret, SecretHash};
use crate::sessions;
use crate::sso_service::{OwnIssuer, SsoService};
use crate::startup::AppState;
use crate::store::{InsertUserError, LinkError};
use crate::tokens;

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
    post, path = "/api/user/create", tag = "application API",
    request_body(content = forms::UserCreateForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::UserAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 409, description = "`USER_EXISTS`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_create(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserCreate)?;
    let email = p.parse_opt("email", Email::parse)?;
    let username = p.parse_opt("username", Username::parse)?;
    if email.is_none() && username.is_none() {
        return Err(failure(
            ApiStatus::MissingParameter,
            "give `email` or `username` (or both)",
        ));
    }
    let display_name = p.parse("displayname", DisplayName::parse)?;
    let password = p.parse_opt("password", Password::parse)?;
    let roles: Vec<String> = p
        .optional("roles")?
        .map(|r| {
            r.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for role in &roles {
        let Some(tokens) = state.settings.roles.get(role) else {
            return Err(failure(
                ApiStatus::RoleUnknown,
                format!("`{}` is not a configured role", ApiError::echo(role)),
            ));
        };
        // Nobody hands out more than they hold (the default role, which every
        // user without roles has anyway, excepted).
        if role == &state.settings.api.default_role {
            continue;
        }
        if let Some(extra) = tokens.iter().find(|t| !caller.tokens().contains(t)) {
            return Err(failure(
                ApiStatus::NotAllowed,
                format!(
                    "role `{role}` grants `{}`, which the caller does not hold",
                    extra.as_str()
                ),
            ));
        }
    }
    let password_hash = match password {
        Some(password) => state.hasher.hash(password).await?,
        None => String::new(),
    };
    let user = User {
        id: UserId::new(),
        email: email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        email_normalized: email
            .as_ref()
            .map(|e| e.normalized().to_owned())
            .unwrap_or_default(),
        display_name: display_name.as_str().to_owned(),
        password_hash,
        created: unix_now(),
        username: username.map(|u| u.as_str().to_owned()),
        roles,
        api_user: true,
    };
    match state.store.insert_user(&user).await {
        Ok(()) => {}
        Err(InsertUserError::EmailTaken) => {
            return Err(failure(
                ApiStatus::UserExists,
                "a user with this email exists",
            ));
        }
        Err(InsertUserError::UsernameTaken) => {
            return Err(failure(
                ApiStatus::UserExists,
                "a user with this username exists",
            ));
        }
        Err(InsertUserError::Store(e)) => return Err(e.into()),
    }
    tracing::info!(user = %user.id, by = %caller.name(), "user created through the API");
    Ok(ok(json!({ "user": user_view(&state, &user) })))
}

#[utoipa::path(
    post, path = "/api/user/info", tag = "application API",
    request_body(content = forms::UserInfoForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::UserAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_info(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserView)?;
    let user = target_user(&state, &caller, &p).await?;
    Ok(ok(json!({ "user": user_view(&state, &user) })))
}

#[utoipa::path(
    post, path = "/api/user/linkssotoken", tag = "application API",
    request_body(content = forms::LinkForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::LinkedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`", body = answers::ApiFailureAnswer),
        (status = 409, description = "`SSO_TOKEN_ALREADY_LINKED`, `SSO_TOKEN_ALREADY_SET`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_link_sso_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSsoToken)?;
    let user = target_user(&state, &caller, &p).await?;
    let service = service(&state, &p)?;
    let token = sso_token(&state, service, &p)?;
    match state
        .store
        .link_sso_token(&service.id, &token, user.id)
        .await
    {
        Ok(()) => {}
        Err(LinkError::UserHasToken) => {
            return Err(failure(
                ApiStatus::SsoTokenAlreadySet,
                format!(
                    "the user already has an SSO token for `{}`; clear it first with \
                     user/clearssotoken",
                    service.id
                ),
            ));
        }
        Err(LinkError::TokenLinkedElsewhere) => {
            return Err(failure(
                ApiStatus::SsoTokenAlreadyLinked,
                "this SSO token is linked to another user",
            ));
        }
        Err(LinkError::Store(e)) => return Err(e.into()),
    }
    tracing::info!(user = %user.id, service = %service.id, by = %caller.name(), "SSO token linked");
    Ok(ok(
        json!({ "user": user.id.to_string(), "service": service.id.as_str() }),
    ))
}

#[utoipa::path(
    post, path = "/api/user/clearssotoken", tag = "application API",
    request_body(content = forms::ClearForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::ClearedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_clear_sso_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSsoToken)?;
    let user = target_user(&state, &caller, &p).await?;
    let service = service(&state, &p)?;
    let cleared = state.store.clear_sso_token(&service.id, user.id).await?;
    tracing::info!(user = %user.id, service = %service.id, cleared, "SSO token cleared");
    Ok(ok(json!({ "cleared": cleared })))
}

#[utoipa::path(
    post, path = "/api/session/createwithsso", tag = "application API",
    request_body(content = forms::SessionCreateForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::SessionCreatedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`SSO_TOKEN_UNKNOWN`: create a user and link the token", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn session_create_with_sso(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::SessionCreate)?;
    let service = service(&state, &p)?;
    let token = sso_token(&state, service, &p)?;
    let unknown = || {
        failure(
            ApiStatus::SsoTokenUnknown,
            format!(
                "no user has this SSO token for `{}`: create one (user/create) and link the \
                 token (user/linkssotoken), then try again",
                service.id
            ),
        )
    };
    let user_id = state
        .store
        .sso_token_user(&service.id, &token)
        .await?
        .ok_or_else(unknown)?;
    let now = unix_now();
    let ttl = state.settings.api.session_ttl;
    let session = ApiSession {
        user: user_id,
        created: now,
        expires: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        application: match &caller {
            Caller::Application { id, .. } => Some(id.clone()),
            Caller::User { .. } => None,
        },
    };
    let secret = Secret::generate();
    let sid = secret.hash();
    let entry = IndexEntry {
        id: SessionId::of_api(&sid),
        target: SessionTarget::Api { sid: sid.clone() },
        created: now,
        last_used: now,
        expires: session.expires,
        keep_me_logged_in: false,
        device: api_device(&caller),
    };
    // A linked token's user exists (users are never deleted), so the session
    // is indexed and written while the user is read. Should the user be gone
    // all the same, the session is taken back before anyone learns its secret.
    let store = state.store.as_ref();
    let (user, written) = tokio::join!(store.user(user_id), async {
        sessions::start_api(&state, user_id, &entry, &sid, &session, ttl).await?;
        sessions::confirm_started(&state, user_id, std::slice::from_ref(&entry)).await
    });
    if !written? {
        return Err(failure(
            ApiStatus::NotAllowed,
            "a concurrent session of this user took the last place under max_sessions_per_user",
        ));
    }
    let Some(user) = user? else {
        sessions::end(&state, user_id, &[entry]).await?;
        return Err(unknown());
    };
    tracing::info!(user = %user.id, service = %service.id, by = %caller.name(), "API session created");
    Ok(ok(json!({
        "session": secret.expose(),
        "expires": session.expires,
        "user": user_view(&state, &user),
    })))
}

/// The device label of an API session: who made it.
fn api_device(caller: &Caller) -> String {
    match caller {
        Caller::Application { id, .. } => format!("application {id}"),
        Caller::User { .. } => "application-API session".to_owned(),
    }
}

/// The session an action names: the caller's own for a user session, the
/// `session` parameter for an application.
async fn target_session(
    state: &AppState,
    caller: &Caller,
    p: &Params<'_>,
) -> Result<(SecretHash, ApiSession), ApiFailure> {
    let sid = match caller {
        Caller::User { session, .. } => {
            if p.optional("session")?.is_some() {
                return Err(failure(
                    ApiStatus::NotAllowed,
                    "a user session may only act on itself",
                ));
            }
            session.clone()
        }
        Caller::Application { .. } => p
            .parse("session", Secret::parse)
            .map_err(|_| failure(ApiStatus::SessionNotFound, "no such session"))?
            .hash(),
    };
    let session = state
        .store
        .api_session(&sid)
        .await?
        .filter(|s| s.expires > unix_now())
        .ok_or_else(|| failure(ApiStatus::SessionNotFound, "no such session"))?;
    Ok((sid, session))
}

#[utoipa::path(
    post, path = "/api/session/info", tag = "application API",
    request_body(content = forms::SessionForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::SessionInfoAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`SESSION_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn session_info(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::SessionView)?;
    let (_, session) = target_session(&state, &caller, &p).await?;
    let user = state.store.user(session.user).await?;
    Ok(ok(json!({
        "user": user.map(|u| user_view(&state, &u)),
        "created": session.created,
        "expires": session.expires,
    })))
}

#[utoipa::path(
    post, path = "/api/session/delete", tag = "application API",
    request_body(content = forms::SessionForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`", body = answers::DeletedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`, `ROLE_UNKNOWN`, `SSO_SERVICE_UNKNOWN`, `SSO_RESPONSE_INVALID`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user or session", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`SESSION_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn session_delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::SessionDelete)?;
    let (sid, session) = target_session(&state, &caller, &p).await?;
    state.store.delete_api_session(&sid).await?;
    let id = SessionId::of_api(&sid);
    state.store.unindex_sessions(session.user, &[id]).await?;
    Ok(ok(json!({ "deleted": true })))
}

/// The API session a user-session caller is, to mark it `current`.
fn own_session(caller: &Caller) -> Option<SessionId> {
    match caller {
        Caller::User { session, .. } => Some(SessionId::of_api(session)),
        Caller::Application { .. } => None,
    }
}

#[utoipa::path(
    post, path = "/api/user/sessions", tag = "application API",
    request_body(content = forms::UserSessionsForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`: the user's live sessions, browser sign-ins and API sessions", body = answers::SessionsAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_sessions(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSessionView)?;
    let user = target_user(&state, &caller, &p).await?;
    let own = own_session(&caller);
    let store = state.store.as_ref();
    let entries = sessions::entries(store, &state.settings, user.id, true).await?;
    // The index holds at most 1,000 per account: one answer, one round trip.
    let page = sessions::list(store, entries, own.as_ref(), unix_now(), None, usize::MAX).await?;
    Ok(ok(json!({ "sessions": page.sessions })))
}

#[utoipa::path(
    post, path = "/api/user/endsession", tag = "application API",
    request_body(content = forms::UserEndSessionForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`: the session was ended", body = answers::EndedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`, `SESSION_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_end_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSessionEnd)?;
    let user = target_user(&state, &caller, &p).await?;
    let id = p.parse("session_id", SessionId::parse)?;
    let ended = sessions::end_by_id(&state, user.id, &id, true)
        .await?
        .ok_or_else(|| {
            failure(
                ApiStatus::SessionNotFound,
                format!("no session {id} of this user"),
            )
        })?;
    tracing::info!(user = %user.id, session = %id, by = %caller.name(), "session ended");
    Ok(ok(
        json!({ "ended": ended.count, "signout": ended.signout }),
    ))
}

#[utoipa::path(
    post, path = "/api/user/endallsessions", tag = "application API",
    request_body(content = forms::UserSessionsForm, content_type = "application/x-www-form-urlencoded"),
    security(("app_basic" = []), ("api_session" = [])),
    responses(
        (status = 200, description = "`OK`: every browser sign-in and API session of the user was ended (sign out everywhere)", body = answers::EndedAnswer),
        (status = 400, description = "`BAD_REQUEST` (not a urlencoded form, a repeated parameter), `MISSING_PARAMETER`, `INVALID_PARAMETER`", body = answers::ApiFailureAnswer),
        (status = 401, description = "`AUTHENTICATION_FAILED`", body = answers::ApiFailureAnswer, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "`NOT_ALLOWED`: the caller lacks the action's role token, or a session named another user", body = answers::ApiFailureAnswer),
        (status = 405, description = "`METHOD_NOT_ALLOWED`: actions are `POST`", body = answers::ApiFailureAnswer),
        (status = 413, description = "`PAYLOAD_TOO_LARGE`", body = answers::ApiFailureAnswer),
        (status = 429, description = "`RATE_LIMITED`: too many wrong application secrets", body = answers::ApiFailureAnswer),
        (status = 503, description = "`STORE_UNAVAILABLE`", body = answers::ApiFailureAnswer, headers(("Retry-After" = u64))),
        (status = 404, description = "`USER_NOT_FOUND`", body = answers::ApiFailureAnswer),
    ),
)]
pub async fn user_end_all_sessions(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiFailure> {
    let (caller, p) = request(&state, &req, payload).await?;
    caller.require(RoleToken::UserSessionEnd)?;
    let user = target_user(&state, &caller, &p).await?;
    let store = state.store.as_ref();
    let entries = sessions::entries(store, &state.settings, user.id, true).await?;
    let ended = sessions::end_entries(&state, &entries).await?;
    tokens::revoke_access_tokens(&state, user.id).await?;
    tracing::info!(user = %user.id, ended = ended.count, by = %caller.name(), "signed out everywhere");
    Ok(ok(
        json!({ "ended": ended.count, "signout": ended.signout }),
    ))
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
        crate::domain::parse_token(raw, 32, |c| c.is_ascii_hexdigit(), "a sign-out id")
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
