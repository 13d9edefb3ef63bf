//! `GET`/`POST /oauth/userinfo` (OpenID Connect Core §5.3): the claims about
//! the person behind a bearer access token that its client's flow releases,
//! under the names ID tokens give them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::credentials::Authorization;
use crate::oauth::{BearerError, BearerErrorBody};
use crate::state::AppState;
use sso_core::config::{Release, UserField};
use sso_core::domain::User;
use sso_core::tokens::token_user;

/// The UserInfo response (OpenID Connect Core §5.3.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserInfo<'a> {
    /// The person's uuid, the `sub` of their ID tokens.
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    /// With `email`: the person confirmed the address through the mailed link.
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

impl<'a> UserInfo<'a> {
    fn of(user: &'a User, release: Release) -> Self {
        Self {
            sub: user.id.to_string(),
            email: release
                .contains(UserField::Email)
                .then_some(user.email.as_str()),
            email_verified: release
                .contains(UserField::Email)
                .then_some(user.email_verified),
            name: release
                .contains(UserField::DisplayName)
                .then_some(user.display_name.as_str()),
        }
    }
}

#[utoipa::path(
    get, path = "/oauth/userinfo", tag = "oauth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The released claims", body = UserInfo),
        (status = 400, description = "`invalid_request`: the `Authorization` header is not a Bearer token", body = BearerErrorBody, headers(("WWW-Authenticate" = String))),
        (status = 401, description = "No token (a bare challenge), or `invalid_token`: unknown, expired, or its SSO session ended", body = BearerErrorBody, headers(("WWW-Authenticate" = String))),
        (status = 503, description = "`temporarily_unavailable`", body = BearerErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn userinfo(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, BearerError> {
    let token = match Authorization::of(&req) {
        None => return Err(BearerError::Missing),
        Some(Ok(Authorization::Bearer(token))) => token,
        Some(_) => {
            return Err(BearerError::InvalidRequest(
                "the Authorization scheme must be Bearer",
            ));
        }
    };
    let (user, claims, _) = token_user(state.store.as_ref(), &state.access_tokens, &token).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(UserInfo::of(&user, claims.release)))
}

/// `POST /oauth/userinfo`: the same answer (OpenID Connect Core §5.3.1
/// requires both methods); the token comes in the header here too.
#[utoipa::path(
    post, path = "/oauth/userinfo", tag = "oauth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The released claims", body = UserInfo),
        (status = 400, description = "`invalid_request`: the `Authorization` header is not a Bearer token", body = BearerErrorBody, headers(("WWW-Authenticate" = String))),
        (status = 401, description = "No token (a bare challenge), or `invalid_token`: unknown, expired, or its SSO session ended", body = BearerErrorBody, headers(("WWW-Authenticate" = String))),
        (status = 503, description = "`temporarily_unavailable`", body = BearerErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn userinfo_post(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, BearerError> {
    userinfo(state, req).await
}
