//! The Login Status API: `Set-Login` tells the browser whether anyone is
//! signed in with us in it. FedCM consults it before it calls the
//! accounts endpoint: after `logged-out` it fails at once, without asking.

use actix_web::HttpResponse;
use actix_web::http::header::{HeaderName, HeaderValue};

const SET_LOGIN: HeaderName = HeaderName::from_static("set-login");

/// A browser session was created (or replaced).
pub fn signed_in(response: &mut HttpResponse) {
    set(response, "logged-in");
}

/// The browser session ended: nobody is signed in in this browser.
pub fn signed_out(response: &mut HttpResponse) {
    set(response, "logged-out");
}

fn set(response: &mut HttpResponse, status: &'static str) {
    response
        .headers_mut()
        .insert(SET_LOGIN, HeaderValue::from_static(status));
}
