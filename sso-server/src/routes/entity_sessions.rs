//! `/entity/sessions`: a person's own sessions, with the access token a site
//! got for them: list them, end one, end all but the one the token belongs
//! to, end all. Sites of the family hold these tokens, so any of them can
//! offer a "Your sessions" page; the token must still stand (its session
//! not ended), like at `/entity`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::openapi::forms;
use super::params::{Form, Params};
use crate::clock::unix_now;
use crate::credentials::Authorization;
use crate::domain::{SessionId, User};
use crate::error::{ApiError, ErrorBody};
use crate::sessions::{self, SessionView};
use crate::startup::AppState;
use crate::tokens::{self, token_user};

/// `{"stat":"ok","result":{"sessions":[…]}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionList {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    result: SessionListResult,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionListResult {
    /// Most recently used first.
    sessions: Vec<SessionView>,
}

/// `{"stat":"ok","result":{"ended":n}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Ended {
    /// `ok`.
    #[schema(value_type = String)]
    stat: &'static str,
    result: EndedResult,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EndedResult {
    /// How many sessions were ended.
    ended: usize,
    /// The sign-out's id, when site backends are being told by back-channel
    /// logout (see `logout/status` in the application API).
    #[serde(skip_serializing_if = "Option::is_none")]
    signout: Option<String>,
}

/// The person behind the bearer token, and the session it belongs to (none
/// for a registration-API token, which no session backs).
async fn caller(
    state: &AppState,
    req: &HttpRequest,
) -> Result<(User, Option<SessionId>), ApiError> {
    let Some(Ok(Authorization::Bearer(token))) = Authorization::of(req) else {
        return Err(ApiError::AccessTokenInvalid);
    };
    let (user, _, current) = token_user(state, &token).await?;
    Ok((user, current))
}

fn answer(body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

fn ended(done: sessions::Ended) -> HttpResponse {
    answer(&Ended {
        stat: "ok",
        result: EndedResult {
            ended: done.count,
            signout: done.signout,
        },
    })
}

#[utoipa::path(
    get, path = "/entity/sessions", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person's live sessions: browser sign-ins and application-API sessions", body = SessionList),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (user, current) = caller(&state, &req).await?;
    let store = state.store.as_ref();
    let entries = sessions::entries(store, &state.settings, user.id, false).await?;
    let sessions = sessions::list(store, entries, current.as_ref(), unix_now()).await?;
    Ok(answer(&SessionList {
        stat: "ok",
        result: SessionListResult { sessions },
    }))
}

#[utoipa::path(
    post, path = "/entity/sessions/end", tag = "registration",
    security(("bearer" = [])),
    request_body(content = forms::EndSessionForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The session was ended", body = Ended),
        (status = 400, description = "`missing_argument`, `invalid_argument`", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 404, description = "`session_not_found`: not one of this person's live sessions", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn end_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Form,
) -> Result<HttpResponse, ApiError> {
    // Who asks comes first: without a standing token nothing else is
    // looked at (found by schemathesis: a bad id was answered 400, not 401).
    let (user, _) = caller(&state, &req).await?;
    let p = Params::new(form.into_inner());
    let id = p.parse("session_id", SessionId::parse)?;
    let done = sessions::end_by_id(&state, user.id, &id, false)
        .await?
        .ok_or_else(|| ApiError::SessionNotFound(id.to_string()))?;
    tracing::info!(user = %user.id, session = %id, "session ended by its person");
    Ok(ended(done))
}

/// Ends every session of the caller's, or every one but its own.
async fn end_many(
    state: &AppState,
    req: &HttpRequest,
    keep_own: bool,
) -> Result<HttpResponse, ApiError> {
    let (user, current) = caller(state, req).await?;
    let store = state.store.as_ref();
    let entries: Vec<_> = sessions::entries(store, &state.settings, user.id, false)
        .await?
        .into_iter()
        .filter(|(_, e)| !(keep_own && current.as_ref() == Some(&e.id())))
        .collect();
    let done = sessions::end_entries(state, &entries).await?;
    if !keep_own {
        tokens::revoke_access_tokens(state, user.id).await?;
    }
    tracing::info!(user = %user.id, ended = done.count, keep_own, "sessions ended by their person");
    Ok(ended(done))
}

#[utoipa::path(
    post, path = "/entity/sessions/end_others", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every session but the one the token belongs to was ended (all of them for a registration-API token)", body = Ended),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn end_others(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    end_many(&state, &req, true).await
}

#[utoipa::path(
    post, path = "/entity/sessions/end_all", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every session was ended, the token's own included", body = Ended),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn end_all(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    end_many(&state, &req, false).await
}
