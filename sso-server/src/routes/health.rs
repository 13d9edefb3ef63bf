use actix_web::{HttpResponse, web};
use serde_json::json;

use super::openapi::answers;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process answers", body = answers::Health)),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness: the store answers.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The store answers", body = answers::Health),
        (status = 503, description = "`store_unavailable`", body = ErrorBody, headers(("Retry-After" = u64))),
    ),
)]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.ping().await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
}

pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::global().render())
}
