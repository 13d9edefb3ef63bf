//! `GET /sso/check`: is this browser signed in to a segment this site may
//! use? If so, mint an access token or a one-time code for this site and
//! record the visit (for sign-out).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::{Value, json};
use sso_protocol::{stat, status};

use super::{Target, cookie, serve, storage_access};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::routes::profile::user_data;
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::config::Release;
use sso_core::confirmations::Purpose;
use sso_core::domain::{
    Grant, ResponseType, SessionBinding, SessionTarget, TOUCH_EVERY_SECS, UserId,
};
use sso_core::tokens::issue_access_token;

const ACTION: &str = "ssoSignin";

/// `{"stat":"ok","result":{…}}` of a silent sign-in (README, "the HTTP contract"), typed:
/// every page load of every site asks, so it is serialised straight to text.
#[derive(Serialize)]
pub(super) struct SignedIn<'a> {
    stat: &'static str,
    result: SignedInResult<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedInResult<'a> {
    status: &'static str,
    status_message: &'static str,
    transaction_id: &'a str,
    action: &'static str,
    one_time: bool,
    user_data: Value,
    keep_me_logged_in: bool,
    #[serde(flatten)]
    credential: Credential,
    /// Lets the library end this session from this site (`/sso/end`).
    sign_out_token: String,
    sso_implicit_login: bool,
    renders: bool,
}

/// What the site gets, per `response_type`: one field or the other.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Credential {
    AccessToken(String),
    Code(String),
}

#[utoipa::path(
    get, path = "/sso/check", tag = "sso",
    description = "Whether this browser is signed in for the site's segment family: a token or a one-time code, `no_session`, or `third_party_cookies_blocked`.",
    params(forms::SsoQuery),
    responses(
        (status = 303, description = "To the registered receiver (or redirect URI) named by the query, with `#state=<state>&sso=<JSON result>` as the fragment; errors found once the receiver is known travel there too, as `{\"stat\":\"error\", …}`", headers(("Location" = String, description = "the receiver URL with the result in its fragment"))),
        (status = 400, description = "The client, the receiver or `state` is missing, unknown, unregistered or malformed: a page naming the catalog error, and no redirect", content_type = "text/html", body = String),
    ),
)]
pub async fn check(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    serve(&state, &req, answer).await
}

fn no_session(target: &Target<'_>) -> Value {
    target.ok(ACTION, status::NO_SESSION, "noSSOSession", json!({}))
}

async fn answer(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &Target<'_>,
) -> Result<HttpResponse, ApiError> {
    let cookie = if storage_access::cookie_withheld(req) {
        Cookie::Withheld
    } else {
        Cookie::Sent
    };
    let result = checked(state, req, p, target, cookie, None).await?;
    let mut response = target.deliver(&result);
    if let Some(activate) = storage_access::activation(req, target.client) {
        activate.apply(&mut response);
    }
    Ok(response)
}

/// Whether the browser may have withheld the SSO cookie from this request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Cookie {
    /// `Sec-Fetch-Storage-Access: none`: a missing cookie says nothing.
    Withheld,
    /// Sent if the browser has it (a first-party context, or FedCM).
    Sent,
}

/// What `/sso/check` delivers, and what the FedCM ID assertion endpoint
/// hands the library as its token: a sign-in or another result.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Checked<'a> {
    SignedIn(Box<SignedIn<'a>>),
    Other(Value),
}

/// The check itself. `account` (FedCM's chosen account) restricts it to
/// the segments where that user is signed in.
pub(super) async fn checked<'t>(
    state: &AppState,
    req: &HttpRequest,
    p: &Params<'_>,
    target: &'t Target<'_>,
    cookie_state: Cookie,
    account: Option<UserId>,
) -> Result<Checked<'t>, ApiError> {
    let client = target.client;
    let segments = target.segments(p)?;
    let flow = p
        .flow(&state.settings, client, true)?
        .ok_or(ApiError::MissingArgument("flow"))?;
    let response_type = p
        .parse_opt("response_type", ResponseType::parse)?
        .unwrap_or_default();
    let logout_index = target.logout_index(p)?;
    let code_options = p.code_options()?;

    let Some(secret) = cookie::read(req, &state.settings) else {
        return Ok(Checked::Other(match cookie_state {
            Cookie::Withheld => target.blocked(ACTION),
            Cookie::Sent => no_session(target),
        }));
    };
    let sid = secret.sid();
    let session = state.store.session(&sid).await?.without_expired(unix_now());
    let Some((segment, found)) = segments.iter().find_map(|s| {
        session
            .segments
            .get(s)
            .filter(|found| account.is_none_or(|id| found.user.id == id))
            .map(|found| (s, found))
    }) else {
        return Ok(Checked::Other(no_session(target)));
    };
    let user = &found.user;
    // The sign-in's own sid (the hash and its person): what the store finds
    // it by and what a token bound to it keeps.
    let own_sid = sid.for_person(user.id);
    // A client that admits only confirmed addresses reads the record (the
    // session's profile copy may be older than the confirmation).
    if !sso_core::accounts::may_receive(state.store.as_ref(), client, Some(flow), user.id).await? {
        return Err(ApiError::EmailNotVerified);
    }
    // The session holds the profile and the token is MAC'd, so a repeat
    // check from a site (every page load) is one store read. The visit is
    // written only when new, and concurrently with a code, which the
    // multiplexed Redis connection sends as one round trip.
    let visit = async {
        if found.visits.get(&client.id) == Some(&logout_index) {
            return Ok(());
        }
        state
            .store
            .record_visit(&own_sid, segment, &client.id, logout_index)
            .await
    };
    let binding = SessionBinding {
        sid: own_sid.clone(),
        segment: segment.clone(),
    };
    // Both are sealed: minting one costs no store write.
    let credential = match response_type {
        ResponseType::Token => {
            let release = Release::of(Some(flow));
            let token = issue_access_token(
                &state.access_tokens,
                &state.settings,
                user.id,
                &client.id,
                release,
                Some(binding),
            );
            Credential::AccessToken(token)
        }
        ResponseType::Code => {
            let grant = Grant {
                user: user.clone(),
                client: client.id.clone(),
                redirect_uri: Some(target.receiver.clone()),
                keep_me_logged_in: found.keep_me_logged_in,
                auth_time: found.created,
                method: found.method,
                flow: Some(flow.name.clone()),
                code_challenge: code_options.code_challenge.clone(),
                nonce: code_options.nonce.clone(),
                session: Some(binding),
                sid: Some(found.id.clone()),
            };
            Credential::Code(state.codes.issue(&state.settings, &grant))
        }
    };
    // "Last used" orders sessions for the session limit; a minute is
    // precise enough, and spares all but one check a minute the write.
    let now = unix_now();
    let touch = async {
        if now - found.last_used < TOUCH_EVERY_SECS {
            return Ok(());
        }
        let target = SessionTarget::Browser {
            sid: own_sid.clone(),
            segment: segment.clone(),
        };
        state
            .store
            .touch_session(user.id, &found.id, &target, now)
            .await
    };
    let (visited, touched) = tokio::join!(visit, touch);
    visited?;
    touched?;

    let answer = SignedIn {
        stat: stat::OK,
        result: SignedInResult {
            status: status::SUCCESS,
            status_message: "gotSSOCode",
            transaction_id: target.state.as_str(),
            action: ACTION,
            one_time: false,
            user_data: user_data(user, flow),
            keep_me_logged_in: found.keep_me_logged_in,
            credential,
            sign_out_token: state
                .confirmations
                .token(Purpose::SignOut, &sid, &client.id),
            sso_implicit_login: true,
            renders: false,
        },
    };
    tracing::info!(user = %user.id, client = %client.id, %segment, "silent sign-in");
    Ok(Checked::SignedIn(Box::new(answer)))
}
