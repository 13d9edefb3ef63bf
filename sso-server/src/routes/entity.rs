//! `GET /entity`: the profile behind a bearer access token.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::profile::capture_user;
use crate::error::ApiError;
use crate::secrets::Secret;
use crate::startup::AppState;
use crate::tokens::access_grant;

pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| Secret::parse(t.trim()).ok())
        .ok_or(ApiError::AccessTokenInvalid)?;
    let grant = access_grant(&state, &token.hash()).await?;
    let user = state
        .store
        .user(grant.user)
        .await?
        .ok_or(ApiError::AccessTokenInvalid)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "stat": "ok", "result": capture_user(&user) })))
}
