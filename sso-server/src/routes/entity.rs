//! `GET /entity`: the profile behind a bearer access token: the fields the
//! token's flow released to its client, and that client's id.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::openapi::answers;
use super::profile::released_profile;
use crate::credentials::Authorization;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sso_core::tokens::token_user;

#[utoipa::path(
    get, path = "/entity", tag = "registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The released profile and the token's client", body = answers::Entity),
        (status = 401, description = "`access_token_invalid`: missing, unknown, expired, or its SSO session ended", body = ErrorBody),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(Ok(Authorization::Bearer(token))) = Authorization::of(&req) else {
        return Err(ApiError::AccessTokenInvalid);
    };
    let (user, claims, _) = token_user(state.store.as_ref(), &state.access_tokens, &token).await?;
    let mut result = released_profile(&user.profile(), claims.release);
    if result.contains_key("email") {
        result.insert("emailVerified".to_owned(), user.email_verified.into());
    }
    result.insert("client_id".to_owned(), claims.client.as_str().into());
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "stat": "ok", "result": result })))
}
