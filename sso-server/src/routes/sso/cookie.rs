//! The SSO session cookie: `HttpOnly; Secure; SameSite=None; Path=/`, with the
//! `__Host-` prefix on https (set in the configuration). Its value is a
//! 256-bit secret; the store keys the session by the value's hash.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;

use crate::config::Settings;
use crate::secrets::Secret;

/// The session secret the browser presented, if it is one of ours. The
/// `Cookie` headers are scanned in place rather than through
/// `HttpRequest::cookies`, which copies every cookie of the site.
pub fn read(req: &HttpRequest, settings: &Settings) -> Option<Secret> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim()).ok())
        .filter(|c| c.name() == settings.cookie.name)
        .find_map(|c| Secret::parse(c.value()).ok())
}

fn base(settings: &Settings, value: String) -> Cookie<'static> {
    Cookie::build(settings.cookie.name.clone(), value)
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::None)
        .finish()
}

/// A new session cookie; `max_age` makes it persistent (keepMeLoggedIn),
/// `None` makes it end with the browser session.
pub fn issue(settings: &Settings, secret: &Secret, max_age: Option<i64>) -> Cookie<'static> {
    let mut cookie = base(settings, secret.expose().to_owned());
    if let Some(secs) = max_age {
        cookie.set_max_age(CookieDuration::seconds(secs));
    }
    cookie
}

pub fn removal(settings: &Settings) -> Cookie<'static> {
    let mut cookie = base(settings, String::new());
    cookie.make_removal();
    cookie
}
