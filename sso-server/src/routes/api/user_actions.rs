//! The actions on users: create one, read one, link and clear an SSO token.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::{ApiFailure, ApiStatus, ok};
use crate::error::ApiError;
use crate::routes::openapi::{answers, forms};
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::domain::{DisplayName, Email, Password, RoleToken, User, UserId, Username};
use sso_core::store::{InsertUserError, LinkError};

use super::{failure, request, service, sso_token, target_user, user_view};

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
        email_verified: false,
        passkeys: Vec::new(),
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
