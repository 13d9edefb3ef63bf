//! The actions on sessions: an API session from an SSO token, a session's
//! details and end, and a user's sessions, listed and ended.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::{ApiFailure, ApiStatus, Caller, ok};
use crate::routes::openapi::{answers, forms};
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::domain::{ApiSession, IndexEntry, RoleToken, SessionId, SessionTarget};
use sso_core::domain::{Secret, SecretHash};
use sso_core::sessions;
use sso_core::tokens;

use super::{failure, request, service, sso_token, target_user, user_view};

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
        sessions::start_api(state.sessions(), user_id, &entry, &sid, &session, ttl).await?;
        sessions::confirm_started(state.sessions(), user_id, std::slice::from_ref(&entry)).await
    });
    if !written? {
        return Err(failure(
            ApiStatus::NotAllowed,
            "a concurrent session of this user took the last place under max_sessions_per_user",
        ));
    }
    let Some(user) = user? else {
        sessions::end(state.sessions(), user_id, &[entry]).await?;
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
    Ok(ok(
        json!({ "sessions": crate::routes::session_view::views(page.sessions) }),
    ))
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
    let ended = sessions::end_by_id(state.sessions(), user.id, &id, true)
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
    let ended = sessions::end_entries(state.sessions(), &entries).await?;
    tokens::revoke_access_tokens(state.store.as_ref(), &state.settings, user.id).await?;
    tracing::info!(user = %user.id, ended = ended.count, by = %caller.name(), "signed out everywhere");
    Ok(ok(
        json!({ "ended": ended.count, "signout": ended.signout }),
    ))
}
