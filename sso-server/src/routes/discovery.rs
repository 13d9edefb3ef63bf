//! The OpenID discovery document and the JWKS, rendered at start.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::openapi::answers;
use crate::state::AppState;

fn public_json(body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        // Public documents: any origin may read them, caches may keep them
        // briefly (keys rotate).
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body.to_owned())
}

#[utoipa::path(
    get, path = "/.well-known/openid-configuration", tag = "oauth",
    responses((status = 200, description = "OpenID Connect discovery", body = answers::OpenidConfiguration)),
)]
pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    public_json(&state.discovery.document)
}

#[utoipa::path(
    get, path = "/oauth/jwks", tag = "oauth",
    responses((status = 200, description = "The ID-token signing keys", body = answers::Jwks)),
)]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    public_json(&state.discovery.jwks)
}
