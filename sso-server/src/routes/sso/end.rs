//! `GET /sso/end`: end this browser's session in the client's segment and the
//! segments it federates with, and list the logout URIs of the other sites
//! that used those sessions (the library loads them, front-channel). Only
//! with the session's sign-out token for this client (`confirm`), which
//! only the site's receiver ever got; without it nothing ends and the
//! answer delivers the token (see [`super::confirm`]).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use sso_protocol::{param, status};

use super::{Target, cookie, login_status, serve, storage_access};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::confirmations::Purpose;
use sso_core::sessions;
use sso_core::store::Removal;

const ACTION: &str = "ssoEndSession";

#[utoipa::path(
    get, path = "/sso/end", tag = "sso",
    description = "Signs the browser out of the segment family, in two steps: without `confirm` it answers `confirm`, with the site's sign-out token it ends the session and lists the other sites' logout pages.",
    params(forms::SsoQuery),
    responses(
        (status = 303, description = "To the registered receiver (or redirect URI) named by the query, with `#state=<state>&sso=<JSON result>` as the fragment; errors found once the receiver is known travel there too, as `{\"stat\":\"error\", …}`", headers(("Location" = String, description = "the receiver URL with the result in its fragment"))),
        (status = 400, description = "The client, the receiver or `state` is missing, unknown, unregistered or malformed: a page naming the catalog error, and no redirect", content_type = "text/html", body = String),
    ),
)]
pub async fn end(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    serve(&state, &req, answer).await
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let segments = target.segments(p)?;
    let Some(secret) = cookie::read(req, settings) else {
        let result = if storage_access::cookie_withheld(req) {
            target.blocked(ACTION)
        } else {
            target.ok(
                ACTION,
                status::SUCCESS,
                "ssoSessionEnded",
                json!({ "logoutUris": [] }),
            )
        };
        return Ok(target.deliver(&result));
    };

    let sid = secret.sid();
    let confirmations = &state.confirmations;
    let confirmed = p
        .optional(param::CONFIRM)?
        .is_some_and(|t| confirmations.verify(Purpose::SignOut, &sid, &target.client.id, t));
    if !confirmed {
        let token = confirmations.token(Purpose::SignOut, &sid, &target.client.id);
        let result = target.ok(
            ACTION,
            status::CONFIRM,
            "confirmSignOut",
            json!({ "confirm": token }),
        );
        return Ok(target.deliver(&result));
    }
    let Removal {
        removed,
        session_gone,
    } = sessions::sign_out_browser(state.sessions(), &sid, segments.as_slice()).await?;
    let mut logout_uris: Vec<&str> = Vec::new();
    for session in removed.segments.values() {
        for (visitor, index) in &session.visits {
            if visitor == &target.client.id {
                continue;
            }
            let uri = settings
                .client(visitor)
                .and_then(|c| c.logout_uris.get(usize::from(*index)));
            if let Some(uri) = uri
                && !logout_uris.contains(&uri.as_str())
            {
                logout_uris.push(uri);
            }
        }
    }
    if !removed.is_empty() {
        tracing::info!(client = %target.client.id, sites = logout_uris.len(), "sso session ended");
    }
    let result = target.ok(
        ACTION,
        status::SUCCESS,
        "ssoSessionEnded",
        json!({ "logoutUris": logout_uris }),
    );
    let mut response = target.deliver(&result);
    if session_gone {
        response
            .add_cookie(&cookie::removal(settings))
            .map_err(|_| ApiError::Internal)?;
        login_status::signed_out(&mut response);
    }
    Ok(response)
}
