//! `GET /sso/check`: is this browser signed in to a segment this site may
//! use? If so, mint an access token or a one-time code for this site and
//! record the visit (for sign-out).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Target, cookie, serve, storage_access_blocked};
use crate::clock::unix_now;
use crate::domain::{CodeKind, Grant, ResponseType};
use crate::error::ApiError;
use crate::routes::params::{Params, Query};
use crate::routes::profile::user_data;
use crate::startup::AppState;
use crate::tokens::{issue_access_token, issue_code};

const ACTION: &str = "ssoSignin";

pub async fn check(state: web::Data<AppState>, req: HttpRequest, query: Query) -> HttpResponse {
    serve(&state, &req, query, answer).await
}

fn no_session(target: &Target<'_>) -> Value {
    target.ok(ACTION, "no_session", "noSSOSession", json!({}))
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    let client = target.client;
    let segments = target.segments(p)?;
    let flow = p
        .flow(&state.settings, client, true)?
        .ok_or(ApiError::MissingArgument("flow"))?;
    let response_type = p
        .parse_opt("response_type", ResponseType::parse)?
        .unwrap_or_default();
    let logout_index = target.logout_index(p)?;

    let Some(secret) = cookie::read(req, &state.settings) else {
        let result = if storage_access_blocked(req) {
            target.blocked(ACTION)
        } else {
            no_session(target)
        };
        return Ok(target.deliver(&result));
    };
    let sid = secret.hash();
    let session = state.store.session(&sid).await?.without_expired(unix_now());
    let Some((segment, found)) = segments
        .iter()
        .find_map(|s| session.segments.get(s).map(|found| (s, found)))
    else {
        return Ok(target.deliver(&no_session(target)));
    };
    // The visit (only when new: repeat checks from a site, i.e. every page
    // load, skip it), the user and the new credential are written and read
    // concurrently, which the multiplexed Redis connection sends as one
    // round trip. A credential minted for a user that no longer exists is
    // useless (every use looks the user up) and expires on its own.
    let visit = async {
        if found.visits.get(&client.id) == Some(&logout_index) {
            return Ok(());
        }
        state
            .store
            .record_visit(&sid, segment, &client.id, logout_index)
            .await
    };
    let credential = async {
        match response_type {
            ResponseType::Token => issue_access_token(state, found.user, &client.id)
                .await
                .map(|t| ("accessToken", t)),
            ResponseType::Code => {
                let grant = Grant {
                    user: found.user,
                    client: client.id.clone(),
                    redirect_uri: Some(target.receiver.clone()),
                    keep_me_logged_in: found.keep_me_logged_in,
                    auth_time: found.created,
                };
                issue_code(state, CodeKind::AuthorizationCode, &grant)
                    .await
                    .map(|c| ("code", c))
            }
        }
    };
    let (visited, user, credential) = tokio::join!(visit, state.store.user(found.user), credential);
    visited?;
    let (Some(user), (name, secret)) = (user?, credential?) else {
        return Ok(target.deliver(&no_session(target)));
    };

    let mut extra = json!({
        "oneTime": false,
        "userData": user_data(&user, flow),
        "keepMeLoggedIn": found.keep_me_logged_in,
        "ssoImplicitLogin": true,
        "renders": false,
    });
    extra[name] = secret.expose().into();
    tracing::info!(user = %user.id, client = %client.id, %segment, "silent sign-in");
    Ok(target.deliver(&target.ok(ACTION, "success", "gotSSOCode", extra)))
}
