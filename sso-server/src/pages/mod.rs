//! The server's own HTML pages (templates in `sso-server/templates/`,
//! rendered by askama, which escapes every value). They work without
//! JavaScript and carry no inline script; each answer forbids framing, and
//! its Content-Security-Policy allows only what the page needs: its one
//! style element (by hash), the brand's logo, this server's script where a
//! page has one (`form_post`).

pub mod account;
mod brand;
mod catalog;
mod letters;

pub use brand::BrandStyle;
pub use catalog::{Locale, Text};
pub use letters::{reset_letter, verification_letter};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;

use crate::error::ApiError;
use sso_core::config::Branding;

/// RP-initiated logout asks the person before ending a sign-in it has no
/// proof of.
#[derive(Template)]
#[template(path = "end_session_confirm.html")]
pub struct EndSessionConfirm<'a> {
    pub t: &'static Text,
    pub brand: &'a Branding,
    pub style: &'a BrandStyle,
    pub action: &'a str,
    /// Whom the browser is signed in as (their email).
    pub person: &'a str,
    pub confirm: &'a str,
    pub client_id: &'a str,
    pub post_logout_redirect_uri: Option<&'a str>,
    pub state: Option<&'a str>,
    pub ui_locales: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOut<'a> {
    pub t: &'static Text,
    pub brand: &'a Branding,
    pub style: &'a BrandStyle,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    error: &'a str,
    description: &'a str,
    request_id: &'a str,
}

/// How a page looks and speaks: the brand, and the language `ui_locales`
/// chose (English when the request could not be read).
pub struct Look<'a> {
    pub brand: &'a Branding,
    pub locale: Locale,
}

impl<'a> Look<'a> {
    pub fn new(brand: &'a Branding, ui_locales: Option<&str>) -> Self {
        Self {
            brand,
            locale: Locale::choose(ui_locales),
        }
    }
}

/// An error as a page: never a redirect, for requests whose target
/// cannot be trusted. The catalog's name and description stay as the API
/// gives them (support can search them); the page around them is in the
/// person's language.
pub fn error(err: &ApiError, look: &Look<'_>) -> HttpResponse {
    let body = err.body();
    let status = match err.kind().identity().2 {
        s if s.is_client_error() || s.is_server_error() => s,
        _ => StatusCode::BAD_REQUEST,
    };
    let style = BrandStyle::of(look.brand);
    let page = ErrorPage {
        t: look.locale.text(),
        brand: look.brand,
        style: &style,
        error: body.error,
        description: &body.error_description,
        request_id: &body.request_id,
    };
    let csp = style.csp();
    page_with(status, &page, &csp)
}

/// What a page's Content-Security-Policy allows beyond nothing.
#[derive(Default)]
pub struct Csp<'a> {
    /// An origin a form may lead to, besides this server.
    pub form_action: Option<&'a str>,
    /// Scripts of this server (`script-src 'self'`).
    pub script_self: bool,
    /// Those scripts' requests to this server (`connect-src 'self'`).
    pub connect_self: bool,
    /// The `'sha256-…'` of the page's one style element.
    pub style_hash: Option<&'a str>,
    /// An origin images may come from (the brand's logo).
    pub img: Option<&'a str>,
}

impl Csp<'_> {
    fn header(&self) -> String {
        let mut csp = String::from("default-src 'none'; form-action 'self'");
        if let Some(origin) = self.form_action {
            csp.push(' ');
            csp.push_str(origin);
        }
        if self.script_self {
            csp.push_str("; script-src 'self'");
        }
        if self.connect_self {
            csp.push_str("; connect-src 'self'");
        }
        if let Some(hash) = self.style_hash {
            csp.push_str("; style-src '");
            csp.push_str(hash);
            csp.push('\'');
        }
        if let Some(origin) = self.img {
            csp.push_str("; img-src ");
            csp.push_str(origin);
        }
        csp.push_str("; frame-ancestors 'none'; base-uri 'none'");
        csp
    }
}

/// A page with the policy `csp`.
pub fn page_with(status: StatusCode, template: &impl Template, csp: &Csp<'_>) -> HttpResponse {
    page_html(status, template.render(), csp)
}

/// A rendered page with the policy `csp`.
pub fn page_html(status: StatusCode, html: askama::Result<String>, csp: &Csp<'_>) -> HttpResponse {
    let Ok(html) = html else {
        return HttpResponse::InternalServerError().finish();
    };
    let mut builder = HttpResponse::build(status);
    security_headers(&mut builder, &csp.header());
    builder.content_type("text/html; charset=utf-8").body(html)
}

fn security_headers(builder: &mut HttpResponseBuilder, csp: &str) {
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(csp).unwrap_or(HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'",
            )),
        ));
}
