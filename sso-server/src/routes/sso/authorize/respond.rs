//! The answer to the client: a code or an error, with `state` and `iss`
//! (RFC 9207), on the registered redirect URI in the asked response mode:
//! the query (a `303`), the fragment (a `303`), or a form the browser
//! posts there (`form_post`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use askama::Template;

use super::request::Target;
use crate::oauth::AuthorizeError;
use crate::pages::{self, Csp, Locale};
use sso_core::domain::ResponseMode;

/// The page of `form_post`: the fields, posted by a script of this server
/// (`/oauth/form_post.js`), or by the person with the button.
#[derive(Template)]
#[template(path = "form_post.html")]
struct FormPost<'a> {
    t: &'static pages::Text,
    action: &'a str,
    fields: &'a [(&'a str, &'a str)],
}

pub fn code(issuer: &str, target: &Target<'_>, code: &str, locale: Locale) -> HttpResponse {
    deliver(issuer, target, &[("code", code)], locale)
}

pub fn error(issuer: &str, target: &Target<'_>, err: &AuthorizeError) -> HttpResponse {
    tracing::info!(client = %target.client.id, error = err.code(), "authorization refused");
    let description = err.to_string();
    deliver(
        issuer,
        target,
        &[("error", err.code()), ("error_description", &description)],
        Locale::En,
    )
}

fn deliver(
    issuer: &str,
    target: &Target<'_>,
    result: &[(&str, &str)],
    locale: Locale,
) -> HttpResponse {
    let mut fields: Vec<(&str, &str)> = result.to_vec();
    if let Some(state) = target.state {
        fields.push(("state", state));
    }
    fields.push(("iss", issuer));
    let uri = target.redirect_uri;
    let encoded = || {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &fields {
            out.append_pair(name, value);
        }
        out.finish()
    };
    let location = match target.mode {
        ResponseMode::Query => {
            let joint = if uri.contains('?') { '&' } else { '?' };
            format!("{uri}{joint}{}", encoded())
        }
        ResponseMode::Fragment => format!("{uri}#{}", encoded()),
        ResponseMode::FormPost => {
            let page = FormPost {
                t: locale.text(),
                action: uri,
                fields: &fields,
            };
            let origin = url::Url::parse(uri)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default();
            let csp = Csp {
                form_action: Some(&origin),
                script_self: true,
                ..Csp::default()
            };
            return pages::page_with(StatusCode::OK, &page, &csp);
        }
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// `GET /oauth/form_post.js`: the `form_post` page's one script.
pub async fn form_post_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(include_str!("../../../../assets/form_post.js"))
}
