//! Storage Access headers. Chromium marks a cross-site request with
//! `Sec-Fetch-Storage-Access`: `none` (no permission: the SSO cookie is
//! withheld), `inactive` (a Storage Access grant exists for this embedding
//! but is not in use: still withheld) or `active` (the cookie is sent).
//! On `inactive` the server may answer `Activate-Storage-Access: retry`,
//! and the browser repeats the request with the grant in use.
//!
//! [`page`] is the button that asks for a grant (the Storage Access API).

pub(in crate::routes) mod page;

pub use page::storage_access;

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderName, HeaderValue};

use sso_core::config::Client;

const STATUS: &str = "sec-fetch-storage-access";
const ACTIVATE: HeaderName = HeaderName::from_static("activate-storage-access");

/// The browser tells us it withholds its unpartitioned cookies from this
/// request, so a missing SSO cookie says nothing about the session.
pub fn cookie_withheld(req: &HttpRequest) -> bool {
    matches!(status(req), Some(b"none" | b"inactive"))
}

fn status(req: &HttpRequest) -> Option<&[u8]> {
    req.headers().get(STATUS).map(HeaderValue::as_bytes)
}

/// `Activate-Storage-Access: retry` for a request whose grant is inactive,
/// when it comes from one of the client's registered origins: the browser
/// names the embedding page's origin in `Origin`, and only that origin is
/// allowed to have the request retried with the cookie.
pub struct Activation(HeaderValue);

pub fn activation(req: &HttpRequest, client: &Client) -> Option<Activation> {
    if status(req) != Some(b"inactive") {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
    if !client.allows_origin(origin) {
        return None;
    }
    // A registered origin is a plain scheme://host[:port]; quoting it as
    // a structured-field string cannot fail.
    let value = format!("retry; allowed-origin=\"{origin}\"");
    HeaderValue::from_str(&value).ok().map(Activation)
}

impl Activation {
    /// `Activate-Storage-Access: load` for a document: where a grant exists
    /// (`inactive` or `active`), the browser loads it with the grant in
    /// use, so that its `document.hasStorageAccess()` is true.
    pub fn load(req: &HttpRequest) -> Option<Self> {
        matches!(status(req), Some(b"inactive" | b"active"))
            .then(|| Self(HeaderValue::from_static("load")))
    }

    pub fn apply(self, response: &mut HttpResponse) {
        let headers = response.headers_mut();
        headers.insert(ACTIVATE, self.0);
        headers.append(header::VARY, HeaderValue::from_static(STATUS));
    }
}
