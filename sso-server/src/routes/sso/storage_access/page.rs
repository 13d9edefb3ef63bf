//! `GET /sso/storage-access`: the button a site shows, in a frame of the
//! SSO server, for the Storage Access API. `document.requestStorageAccess()`
//! must be called by our document, in our frame, during a click in that
//! frame: a click on the site's page does not count. Once the browser
//! grants it (at once, or after its own prompt), or refuses, the frame goes
//! on to `/sso/check` with the same query, and the check answers through
//! the receiver as an in-page check does: signed in, or
//! `third_party_cookies_blocked` when the cookie is still withheld.
//!
//! The query is `/sso/check`'s and is verified the same way first (a bad
//! client, receiver or `state` is the `400` page). Only the client's
//! registered origins may frame the page (`frame-ancestors`), so a hostile
//! page cannot put our button under a person's pointer; the page holds no
//! secret and changes nothing by itself.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::super::{Target, no_store, serve};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::state::AppState;

/// Where a grant exists already, go on without a click; otherwise wait for
/// one. `check` is relative: `/sso/check` beside this page, same query.
const SCRIPT: &str = r#"(function () {
  var button = document.getElementById("allow");
  function go() { location.replace("check" + location.search); }
  if (typeof document.requestStorageAccess !== "function") return go();
  document.hasStorageAccess().then(function (has) { if (has) go(); }, function () {});
  button.onclick = function () {
    button.disabled = true;
    document.requestStorageAccess().then(go, go);
  };
})();"#;

const STYLE: &str = "html,body{margin:0;background:transparent}\
button{font:600 15px/1.2 system-ui,sans-serif;padding:10px 16px;border:0;border-radius:6px;\
background:#1f3a5f;color:#fff;cursor:pointer;width:100%}button:disabled{opacity:.6;cursor:default}";

/// `'sha256-…'` of an inline script or style, for the page's CSP.
fn csp_hash(source: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(source.as_bytes()))
    )
}

static HASHES: LazyLock<(String, String)> = LazyLock::new(|| (csp_hash(SCRIPT), csp_hash(STYLE)));

#[utoipa::path(
    get, path = "/sso/storage-access", tag = "sso",
    description = "A page holding one button, shown by `SSO.request_storage_access()` in a visible frame on a registered origin: its click asks the browser for Storage Access, then the frame continues to `/sso/check` with the same query, which answers through the receiver. Framable only by the client's registered origins.",
    params(forms::SsoQuery),
    responses(
        (status = 200, description = "The button page (`Content-Security-Policy: frame-ancestors <the client's origins>`)", content_type = "text/html", body = String),
        (status = 303, description = "Errors found once the receiver is known, to the receiver as `/sso/check` delivers them", headers(("Location" = String, description = "the receiver URL with the error in its fragment"))),
        (status = 400, description = "The client, the receiver or `state` is missing, unknown, unregistered or malformed: a page naming the catalog error, and no redirect", content_type = "text/html", body = String),
    ),
)]
pub async fn storage_access(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    serve(&state, &req, page).await
}

async fn page(
    _state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    // What `/sso/check` would refuse is refused here, before a click
    // (`serve` has checked the pass-through parameters).
    target.segments(p)?;
    target.logout_index(p)?;

    let ancestors = if target.client.origins.is_empty() {
        "'none'".to_owned()
    } else {
        target.client.origins.join(" ")
    };
    let (script_hash, style_hash) = &*HASHES;
    let csp = format!(
        "default-src 'none'; script-src {script_hash}; style-src {style_hash}; \
         frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Use your sign-in here</title><style>{STYLE}</style></head><body>\
         <button id=\"allow\" type=\"button\">Use my sign-in on this site</button>\
         <script>{SCRIPT}</script></body></html>"
    );
    let mut response = no_store(HttpResponse::Ok())
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(html);
    // Where a grant exists the document is loaded with it in use, and the
    // script above goes on without a click.
    if let Some(activate) = super::Activation::load(req) {
        activate.apply(&mut response);
    }
    Ok(response)
}
