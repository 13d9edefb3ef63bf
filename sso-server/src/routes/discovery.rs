//! The OpenID discovery document and the JWKS, rendered at start.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::startup::AppState;

fn public_json(body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        // Public documents: any origin may read them, caches may keep them
        // briefly (keys rotate).
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body.to_owned())
}

pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    public_json(&state.discovery.document)
}

pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    public_json(&state.discovery.jwks)
}
