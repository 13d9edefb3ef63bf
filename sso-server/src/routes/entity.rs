//! `GET /entity`: the profile behind a bearer access token.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::profile::capture_user;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::tokens::token_user;

pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::AccessTokenInvalid)?;
    let user = token_user(&state, token.trim()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "stat": "ok", "result": capture_user(&user) })))
}
