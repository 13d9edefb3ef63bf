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
use super::session_view::{self, SessionView};
use crate::credentials::Authorization;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::domain::{FieldError, SessionId, User};
use sso_core::sessions;
use sso_core::tokens::{self, token_user};

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
    /// Where the next page starts (`after`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// A page holds at most this many sessions (and `limit` says how many).
const PAGE_MOST: usize = 100;
/// Lists one person may ask for per minute: each reads up to a page of
/// records, so a loop of them must not take the store from everyone else.
const LISTS_PER_MINUTE: u64 = 60;

/// `limit` and `after` of a list request.
fn page_of(req: &HttpRequest) -> Result<(usize, Option<sessions::After>), ApiError> {
    let p = Params::from_query(req.query_string())?;
    let limit = p
        .parse_opt("limit", |v| {
            // Digits only, no leading zero: exactly what the document says.
            let digits = v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
            digits
                .then(|| v.parse::<usize>().ok())
                .flatten()
                .filter(|n| (1..=PAGE_MOST).contains(n))
                .ok_or(FieldError::Malformed("a number from 1 to 100"))
        })?
        .unwrap_or(PAGE_MOST);
    let after = p.parse_opt("after", |v| {
        let malformed = FieldError::Malformed("the `next` of the previous page");
        let (used, id) = v.split_once('_').ok_or(malformed.clone())?;
        if used.is_empty() || used.len() > 19 || !used.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed);
        }
        let last_used = used.parse().map_err(|_| malformed.clone())?;
        let id = SessionId::parse(id).map_err(|_| malformed)?.to_string();
        Ok(sessions::After { last_used, id })
    })?;
    Ok((limit, after))
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
    let (user, _, current) = token_user(state.store.as_ref(), &state.access_tokens, &token).await?;
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
    params(
        ("limit" = Option<String>, Query, pattern = r"^([1-9]|[1-9][0-9]|100)?$", description = "sessions per page, 1 to 100 (the default; empty is absent)"),
        ("after" = Option<String>, Query, pattern = r"^([0-9]{1,19}_[A-Za-z0-9_-]{16})?$", description = "the `next` of the previous page (empty is absent)"),
    ),
    responses(
        (status = 200, description = "The person's live sessions (a page of them): browser sign-ins and application-API sessions", body = SessionList),
        (status = 400, description = "`invalid_argument`: `limit` or `after` malformed, or a parameter repeated", body = ErrorBody),
        (status = 401, description = "`access_token_invalid`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: more than 60 lists a minute for this person", body = ErrorBody, headers(("Retry-After" = u64))),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (user, current) = caller(&state, &req).await?;
    let (limit, after) = page_of(&req)?;
    let store = state.store.as_ref();
    let window = std::time::Duration::from_secs(60);
    if store.hit(&format!("list:{}", user.id), window).await? > LISTS_PER_MINUTE {
        return Err(ApiError::RateLimited(window.as_secs()));
    }
    let entries = sessions::entries(store, &state.settings, user.id, false).await?;
    let now = unix_now();
    let page = sessions::list(store, entries, current.as_ref(), now, after.as_ref(), limit).await?;
    Ok(answer(&SessionList {
        stat: "ok",
        result: SessionListResult {
            sessions: session_view::views(page.sessions),
            next: page.next.map(|a| format!("{}_{}", a.last_used, a.id)),
        },
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
    let done = sessions::end_by_id(state.sessions(), user.id, &id, false)
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
    let done = sessions::end_entries(state.sessions(), &entries).await?;
    if !keep_own {
        tokens::revoke_access_tokens(state.store.as_ref(), &state.settings, user.id).await?;
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
