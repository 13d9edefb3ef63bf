//! The SSO session cookie: `HttpOnly; Secure; SameSite=None; Path=/`, with the
//! `__Host-` prefix on https (set in the configuration). Its value is a
//! 256-bit secret and the people signed in in the browser
//! ([`SessionCookie`]); the store keys the session by the secret's hash.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;

use sso_core::config::Settings;
use sso_core::domain::{Secret, SessionCookie};

/// The session cookie the browser presented, if it is one of ours.
pub fn read(req: &HttpRequest, settings: &Settings) -> Option<SessionCookie> {
    values(req, &settings.cookie.name).find_map(|v| SessionCookie::parse(v).ok())
}

/// Pending cookies read at most: sign-ins parked in this browser within
/// their two minutes, one per tab that started one.
const MAX_PENDING: usize = 8;

/// The sign-ins awaiting confirmation in this browser: each cookie's name
/// and secret. One cookie per parked sign-in, named apart
/// (`<name>_pending_<tag>`), so a sign-in started in a second tab does not
/// overwrite the first's.
pub fn read_pending(req: &HttpRequest, settings: &Settings) -> Vec<(String, Secret)> {
    let prefix = pending_prefix(settings);
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim()).ok())
        .filter(|c| c.name().starts_with(&prefix))
        .filter_map(|c| Some((c.name().to_owned(), Secret::parse(c.value()).ok()?)))
        .take(MAX_PENDING)
        .collect()
}

fn pending_prefix(settings: &Settings) -> String {
    format!("{}_pending", settings.cookie.name)
}

/// The pending cookie's name for one parked sign-in: the prefix and the
/// first characters of its secret's hash.
fn pending_name(settings: &Settings, secret: &Secret) -> String {
    let hash = secret.hash();
    let tag: String = hash.as_str().chars().take(8).collect();
    format!("{}_{tag}", pending_prefix(settings))
}

/// The `Cookie` headers are scanned in place rather than through
/// `HttpRequest::cookies`, which copies every cookie of the site.
fn read_named(req: &HttpRequest, name: &str) -> Option<Secret> {
    values(req, name).find_map(|v| Secret::parse(v).ok())
}

/// The values of the cookies called `name`, as sent.
fn values<'r>(req: &'r HttpRequest, name: &'r str) -> impl Iterator<Item = &'r str> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |c| {
            let (n, v) = c.split_once('=')?;
            (n.trim() == name).then_some(v.trim())
        })
}

/// The pending cookie of a sign-in awaiting confirmation.
pub fn issue_pending(settings: &Settings, secret: &Secret) -> Cookie<'static> {
    let mut cookie = named(pending_name(settings, secret), secret.expose().to_owned());
    let secs = i64::try_from(sso_core::domain::PENDING_SIGN_IN_SECS).unwrap_or(i64::MAX);
    cookie.set_max_age(CookieDuration::seconds(secs));
    cookie
}

/// Removes the pending cookie called `name` (as read by [`read_pending`]).
pub fn pending_removal(name: String) -> Cookie<'static> {
    let mut cookie = named(name, String::new());
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
pub fn issue(settings: &Settings, value: &SessionCookie, max_age: Option<i64>) -> Cookie<'static> {
    let mut cookie = base(settings, value.value());
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

/// The hosted forms' own cookie (`<name>_form`): what their tokens are
/// bound to. `SameSite=Strict`: only the server's own pages post with it.
fn form_name(settings: &Settings) -> String {
    format!("{}_form", settings.cookie.name)
}

/// How long a hosted form may stay open before it must be shown again.
const FORM_SECS: i64 = 3600;

pub fn read_form(req: &HttpRequest, settings: &Settings) -> Option<Secret> {
    read_named(req, &form_name(settings))
}

pub fn issue_form(settings: &Settings, secret: &Secret) -> Cookie<'static> {
    let mut cookie = named(form_name(settings), secret.expose().to_owned());
    cookie.set_same_site(SameSite::Strict);
    cookie.set_max_age(CookieDuration::seconds(FORM_SECS));
    cookie
}
