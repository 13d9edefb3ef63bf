//! The server's own HTML pages (templates in `sso-server/templates/`,
//! rendered by askama, which escapes every value). They work without
//! JavaScript and carry none; each answer forbids framing and any script,
//! style or subresource by its Content-Security-Policy.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;

use crate::error::ApiError;

/// RP-initiated logout asks the person before ending a sign-in it has no
/// proof of.
#[derive(Template)]
#[template(path = "end_session_confirm.html")]
pub struct EndSessionConfirm<'a> {
    pub action: &'a str,
    /// Whom the browser is signed in as (their email).
    pub person: &'a str,
    pub confirm: &'a str,
    pub client_id: &'a str,
    pub post_logout_redirect_uri: Option<&'a str>,
    pub state: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOut;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    error: &'a str,
    description: &'a str,
    request_id: &'a str,
}

/// A page, with the headers every page has. `form_action` adds an origin
/// a form may lead to (browsers hold a form's redirects to `form-action`).
pub fn page(
    status: StatusCode,
    template: &impl Template,
    form_action: Option<&str>,
) -> HttpResponse {
    let Ok(html) = template.render() else {
        return HttpResponse::InternalServerError().finish();
    };
    let mut builder = HttpResponse::build(status);
    headers(&mut builder, form_action);
    builder.content_type("text/html; charset=utf-8").body(html)
}

/// An error as a page: never a redirect, for requests whose target
/// cannot be trusted.
pub fn error(err: &ApiError) -> HttpResponse {
    let body = err.body();
    let status = match err.kind().identity().2 {
        s if s.is_client_error() || s.is_server_error() => s,
        _ => StatusCode::BAD_REQUEST,
    };
    page(
        status,
        &ErrorPage {
            error: body.error,
            description: &body.error_description,
            request_id: &body.request_id,
        },
        None,
    )
}

fn headers(builder: &mut HttpResponseBuilder, form_action: Option<&str>) {
    let extra = form_action.map(|o| format!(" {o}")).unwrap_or_default();
    let csp = format!(
        "default-src 'none'; form-action 'self'{extra}; frame-ancestors 'none'; base-uri 'none'"
    );
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'",
            )),
        ));
}
