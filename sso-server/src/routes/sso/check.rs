//! `GET /sso/check`: is this browser signed in to a segment this site may
//! use? If so, mint an access token or a one-time code for this site and
//! record the visit (for sign-out).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Target, cookie, serve, storage_access_blocked, validate_passthrough};
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
    validate_passthrough(p)?;

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
    // Only a new visit is written; repeat checks from the same site (every
    // page load) skip that round trip.
    if found.visits.get(&client.id) != Some(&logout_index) {
        state
            .store
            .record_visit(&sid, segment, &client.id, logout_index)
            .await?;
    }

    // The user and the new credential are fetched and stored concurrently,
    // which the multiplexed Redis connection sends as one round trip. A
    // credential minted for a user that no longer exists is useless (every
    // use looks the user up) and expires on its own.
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
    let (user, credential) = tokio::join!(state.store.user(found.user), credential);
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
