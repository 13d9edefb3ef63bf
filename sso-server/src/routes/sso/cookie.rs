//! The SSO session cookie: `HttpOnly; Secure; SameSite=None; Path=/`, with the
//! `__Host-` prefix on https (set in the configuration). Its value is a
//! 256-bit secret; the store keys the session by the value's hash.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;

use crate::config::Settings;
use crate::secrets::Secret;

/// The session secret the browser presented, if it is one of ours.
pub fn read(req: &HttpRequest, settings: &Settings) -> Option<Secret> {
    read_named(req, &settings.cookie.name)
}

/// The secret of a sign-in awaiting confirmation in this browser.
pub fn read_pending(req: &HttpRequest, settings: &Settings) -> Option<Secret> {
    read_named(req, &pending_name(settings))
}

fn pending_name(settings: &Settings) -> String {
    format!("{}_pending", settings.cookie.name)
}

/// The `Cookie` headers are scanned in place rather than through
/// `HttpRequest::cookies`, which copies every cookie of the site.
fn read_named(req: &HttpRequest, name: &str) -> Option<Secret> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim()).ok())
        .filter(|c| c.name() == name)
        .find_map(|c| Secret::parse(c.value()).ok())
}

/// The pending cookie of a sign-in awaiting confirmation.
pub fn issue_pending(settings: &Settings, secret: &Secret) -> Cookie<'static> {
    let mut cookie = named(pending_name(settings), secret.expose().to_owned());
    let secs = i64::try_from(crate::domain::PENDING_SIGN_IN_SECS).unwrap_or(i64::MAX);
    cookie.set_max_age(CookieDuration::seconds(secs));
    cookie
}

pub fn pending_removal(settings: &Settings) -> Cookie<'static> {
    let mut cookie = named(pending_name(settings), String::new());
    cookie.make_removal();
    cookie
}

fn base(settings: &Settings, value: String) -> Cookie<'static> {
    named(settings.cookie.name.clone(), value)
}

fn named(name: String, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
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
