//! `GET /entity`: the profile behind a bearer access token: the fields the
//! token's flow released to its client, and that client's id.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::profile::released_profile;
use crate::credentials::Authorization;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::tokens::token_user;

pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(Ok(Authorization::Bearer(token))) = Authorization::of(&req) else {
        return Err(ApiError::AccessTokenInvalid);
    };
    let (user, claims) = token_user(&state, &token).await?;
    let mut result = released_profile(&user.profile(), claims.release);
    result.insert("client_id".to_owned(), claims.client.as_str().into());
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "stat": "ok", "result": result })))
}
