//! The pages of what a person does by mail: ask for a reset link, choose a
//! new password, confirm an address, and the notices after each.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::{BrandStyle, Look, Text, page_html};
use sso_core::config::Branding;

#[derive(Template)]
#[template(path = "notice.html")]
struct Notice<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    title: &'a str,
    message: &'a str,
    alert: bool,
    link: Option<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct Forgot<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    action: &'a str,
    ui_locales: Option<&'a str>,
    email: &'a str,
    email_error: Option<String>,
    problem: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct Reset<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    action: &'a str,
    token: &'a str,
    ui_locales: Option<&'a str>,
    password_error: Option<String>,
    problem: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct Verify<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    action: &'a str,
    token: &'a str,
    ui_locales: Option<&'a str>,
}

/// What a notice says.
pub struct NoticeText<'a> {
    pub title: &'a str,
    pub message: &'a str,
    /// An error the person should notice (`role="alert"`).
    pub alert: bool,
    pub link: Option<(&'a str, &'a str)>,
}

/// What the forgot-password form shows again.
#[derive(Default)]
pub struct ForgotView<'a> {
    pub email: &'a str,
    pub email_error: Option<String>,
    pub problem: Option<&'a str>,
}

fn render(
    status: StatusCode,
    look: &Look<'_>,
    page: impl FnOnce(&BrandStyle) -> askama::Result<String>,
) -> HttpResponse {
    let style = BrandStyle::of(look.brand);
    let csp = style.csp();
    page_html(status, page(&style), &csp)
}

fn html(page: &impl Template) -> askama::Result<String> {
    page.render()
}

pub fn notice(status: StatusCode, look: &Look<'_>, n: NoticeText<'_>) -> HttpResponse {
    render(status, look, |style| {
        html(&Notice {
            t: look.locale.text(),
            brand: look.brand,
            style,
            title: n.title,
            message: n.message,
            alert: n.alert,
            link: n.link,
        })
    })
}

pub fn forgot(
    status: StatusCode,
    look: &Look<'_>,
    action: &str,
    ui_locales: Option<&str>,
    view: ForgotView<'_>,
) -> HttpResponse {
    render(status, look, |style| {
        html(&Forgot {
            t: look.locale.text(),
            brand: look.brand,
            style,
            action,
            ui_locales,
            email: view.email,
            email_error: view.email_error,
            problem: view.problem,
        })
    })
}

pub fn reset(
    status: StatusCode,
    look: &Look<'_>,
    action: &str,
    token: &str,
    ui_locales: Option<&str>,
    password_error: Option<String>,
    problem: Option<&str>,
) -> HttpResponse {
    render(status, look, |style| {
        html(&Reset {
            t: look.locale.text(),
            brand: look.brand,
            style,
            action,
            token,
            ui_locales,
            password_error,
            problem,
        })
    })
}

pub fn verify(
    look: &Look<'_>,
    action: &str,
    token: &str,
    ui_locales: Option<&str>,
) -> HttpResponse {
    render(StatusCode::OK, look, |style| {
        html(&Verify {
            t: look.locale.text(),
            brand: look.brand,
            style,
            action,
            token,
            ui_locales,
        })
    })
}
