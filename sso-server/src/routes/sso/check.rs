//! `GET /sso/check`: is this browser signed in to a segment this site may
//! use? If so, mint an access token or a one-time code for this site and
//! record the visit (for sign-out).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Target, cookie, error_page, storage_access_blocked, validate_passthrough};
use crate::clock::unix_now;
use crate::domain::{CodeKind, Grant, ResponseType};
use crate::error::ApiError;
use crate::routes::params::{Params, Query};
use crate::routes::profile::user_data;
use crate::startup::AppState;
use crate::tokens::{issue_access_token, issue_code};

const ACTION: &str = "ssoSignin";

pub async fn check(state: web::Data<AppState>, req: HttpRequest, query: Query) -> HttpResponse {
    let p = Params::new(query.into_inner());
    let target = match Target::resolve(&state.settings, &p) {
        Ok(t) => t,
        Err(err) => return error_page(&err),
    };
    match answer(&state, &req, &p, &target).await {
        Ok(result) => target.deliver(&result),
        Err(err) => target.deliver_error(&err),
    }
}

fn no_session(target: &Target<'_>) -> Value {
    target.ok(ACTION, "no_session", "noSSOSession", json!({}))
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params,
    target: &Target<'_>,
) -> Result<Value, ApiError> {
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
        return Ok(if storage_access_blocked(req) {
            target.blocked(ACTION)
        } else {
            no_session(target)
        });
    };
    let sid = secret.hash();
    let session = state.store.session(&sid).await?.without_expired(unix_now());
    let Some((segment, found)) = segments
        .iter()
        .find_map(|s| session.segments.get(s).map(|found| (s, found)))
    else {
        return Ok(no_session(target));
    };
    let Some(user) = state.store.user(found.user).await? else {
        return Ok(no_session(target));
    };
    state
        .store
        .record_visit(&sid, segment, &client.id, logout_index)
        .await?;

    let mut extra = json!({
        "oneTime": false,
        "userData": user_data(&user, flow),
        "keepMeLoggedIn": found.keep_me_logged_in,
        "ssoImplicitLogin": true,
        "renders": false,
    });
    match response_type {
        ResponseType::Token => {
            let token = issue_access_token(state, user.id, &client.id).await?;
            extra["accessToken"] = token.expose().into();
        }
        ResponseType::Code => {
            let grant = Grant {
                user: user.id,
                client: client.id.clone(),
                redirect_uri: Some(target.receiver.clone()),
                keep_me_logged_in: found.keep_me_logged_in,
                auth_time: found.created,
            };
            let code = issue_code(state, CodeKind::AuthorizationCode, &grant).await?;
            extra["code"] = code.expose().into();
        }
    }
    tracing::info!(user = %user.id, client = %client.id, %segment, "silent sign-in");
    Ok(target.ok(ACTION, "success", "gotSSOCode", extra))
}
