//! `GET /sso.js`, `/sso_bg.wasm` and `/sso.d.ts`: the browser library.
//!
//! `sso.js` sits behind a fixed URL in every site's script tag, so it is
//! cached briefly and revalidated by ETag; it loads the wasm as
//! `sso_bg.wasm?v=<content hash>`, which is immutable for a year.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::assets::Asset;
use crate::error::ApiError;
use crate::state::AppState;

const SHORT: &str = "public, max-age=300, stale-while-revalidate=86400";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn script(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    serve(&state, &req, |a| &a.script)
}

pub async fn wasm(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&state, &req, |a| &a.wasm)
}

pub async fn types(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&state, &req, |a| &a.types)
}

fn serve(
    state: &AppState,
    req: &HttpRequest,
    pick: impl Fn(&crate::assets::Assets) -> &Asset,
) -> Result<HttpResponse, ApiError> {
    let asset = pick(state.assets.as_ref().ok_or(ApiError::LibraryNotServed)?);
    let versioned = req
        .query_string()
        .split('&')
        .any(|pair| pair.strip_prefix("v=") == Some(asset.version.as_str()));
    let unchanged = not_modified(req, &asset.etag);
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((
            header::CACHE_CONTROL,
            if versioned { IMMUTABLE } else { SHORT },
        ))
        .insert_header((header::VARY, "Accept-Encoding"))
        // Public code: any page may fetch the wasm (CORS) or embed it.
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header(("cross-origin-resource-policy", "cross-origin"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if unchanged {
        return Ok(response.finish());
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, encoding) = asset.negotiate(accept);
    if let Some(encoding) = encoding {
        response.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)));
    }
    Ok(response.content_type(asset.content_type).body(body.clone()))
}

fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
}
