//! `GET /account/passkeys?client_id=…`: "Your passkeys", for the person
//! this browser is signed in as in the client's family. The page lists
//! them; its script (`/account/passkeys.js`) adds, renames and deletes
//! through the `/account/passkeys/*` calls.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::super::params::Params;
use crate::error::ApiError;
use crate::pages::{self, BrandStyle, Csp, Look, Text};
use crate::state::AppState;
use sso_core::config::Branding;

pub const SCRIPT_PATH: &str = "/account/passkeys.js";

struct Row {
    id: String,
    name: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "passkeys.html")]
struct PasskeysPage<'a> {
    t: &'static Text,
    brand: &'a Branding,
    style: &'a BrandStyle,
    client: &'a str,
    /// `None`: the browser is not signed in for the client's family.
    passkeys: Option<Vec<Row>>,
    new_name: String,
    script: &'static str,
}

#[utoipa::path(
    get, path = "/account/passkeys", tag = "account",
    params(
        ("client_id" = String, Query, description = "The site whose family the browser is signed in for"),
        ("ui_locales" = Option<String>, Query, description = "The page's language (English, Swedish)"),
    ),
    responses(
        (status = 200, description = "The person's passkeys, with buttons to add, rename and delete (or, not signed in, a page saying so)", content_type = "text/html", body = String),
        (status = 400, description = "A page: `missing_argument`, `unknown_client`, `invalid_argument`", content_type = "text/html", body = String),
        (status = 404, description = "A page: `not_found`, passkeys are off (`public_url` names an IP address)", content_type = "text/html", body = String),
        (status = 503, description = "A page: `store_unavailable`", content_type = "text/html", body = String),
    ),
)]
pub async fn page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let p = Params::from_query(req.query_string());
    let ui_locales = p
        .as_ref()
        .ok()
        .and_then(|p| p.optional("ui_locales").ok().flatten());
    let look = Look::new(
        &state.settings.branding,
        ui_locales.filter(|l| l.len() <= 256),
    );
    match show(&state, &req, p, &look).await {
        Ok(response) => response,
        Err(err) => pages::error(&err, &look),
    }
}

async fn show(
    state: &AppState,
    req: &HttpRequest,
    p: Result<Params<'_>, ApiError>,
    look: &Look<'_>,
) -> Result<HttpResponse, ApiError> {
    let p = p?;
    state.passkeys()?;
    let client = p.client(&state.settings)?;
    let user = super::manage::signed_in_user(state, req, client).await?;
    let t = look.locale.text();
    let date = |at: i64| {
        time::OffsetDateTime::from_unix_timestamp(at)
            .map(|d| d.date().to_string())
            .unwrap_or_default()
    };
    let passkeys = user.as_ref().map(|u| {
        u.passkeys
            .iter()
            .map(|p| Row {
                id: p.id(),
                name: p.name.as_str().to_owned(),
                last_used: p.last_used.map_or(t.passkey_never_used.to_owned(), date),
            })
            .collect::<Vec<_>>()
    });
    let new_name = format!("Passkey {}", passkeys.as_ref().map_or(1, |l| l.len() + 1));
    let style = BrandStyle::of(look.brand);
    let page = PasskeysPage {
        t,
        brand: look.brand,
        style: &style,
        client: client.id.as_str(),
        passkeys,
        new_name,
        script: SCRIPT_PATH,
    };
    let csp = Csp {
        script_self: true,
        connect_self: true,
        ..style.csp()
    };
    Ok(pages::page_with(StatusCode::OK, &page, &csp))
}
