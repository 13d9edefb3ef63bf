//! `POST /fedcm/disconnect`: a site calls `IdentityCredential.disconnect()`
//! for an account ("unlink"), and the browser asks us which account that
//! is, with the SSO cookie, from the site's origin. We answer the id of the
//! signed-in person the hint names, among those whose segments the asking
//! client may use (anyone else is answered as nobody: no site learns who is
//! signed in in another family); the browser then forgets that the person
//! chose the account on that site, so FedCM's silent mode ends there until
//! they choose it again ("Continue as").
//!
//! Nothing changes on the server: the person stays signed in, and
//! `approved_clients` say which sites their segments may be used by, a
//! policy of the site family rather than a record of their choices. A hint
//! naming nobody signed in here is an error, on which the browser forgets
//! every account it connected to the site.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::super::cookie;
use super::{Verified, answer_to, error, verify};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::domain::FieldError;

/// Two short fields.
const BODY_LIMIT: usize = 2 * 1024;

#[utoipa::path(
    post, path = "/fedcm/disconnect", tag = "fedcm",
    description = "FedCM's disconnect endpoint: the browser's request when a site disconnects an account. Answers the id of the signed-in account `account_hint` names (its id or email); the sign-in itself is unchanged. Only for the browser's FedCM, from one of the client's registered origins (answered with CORS for it).",
    params(forms::FedCmHeaders),
    security(("sso_cookie" = []), ()),
    request_body(content = forms::FedCmDisconnect, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`{\"account_id\":\"<uuid>\"}`", body = Object),
        (status = 400, description = "`{\"error\":{\"code\":<catalog name>}, \"error_description\", \"request_id\"}`: not a FedCM request, a malformed form, or a hint that names nobody signed in in this browser", body = Object),
        (status = 403, description = "`{\"error\":{\"code\":\"origin_not_allowed\"}, …}`, without CORS: the origin is not the client's", body = Object),
        (status = 413, description = "`{\"error\":{\"code\":\"payload_too_large\"}, …}`", body = Object),
        (status = 503, description = "`{\"error\":{\"code\":\"store_unavailable\"}, …}`", body = Object, headers(("Retry-After" = u64, description = "seconds"))),
    ),
)]
pub async fn disconnect(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Verified { origin, form } = match verify(&state, &req, payload, BODY_LIMIT).await {
        Ok(verified) => verified,
        Err(err) => return error(&err, None),
    };
    let answered = async {
        let hint = form.required("account_hint")?;
        let nobody = || {
            ApiError::invalid(
                "account_hint",
                FieldError::Malformed("the id or email of an account signed in in this browser"),
            )
        };
        let secret = cookie::read(&req, &state.settings).ok_or_else(nobody)?;
        let session = state
            .store
            .session(&secret.sid())
            .await?
            .without_expired(unix_now());
        let client = form.client(&state.settings)?;
        let user = session
            .segments
            .iter()
            .filter(|(segment, _)| client.may_use_segment(segment))
            .map(|(_, found)| &found.user)
            .find(|user| user.id.to_string() == hint || user.email == hint)
            .ok_or_else(nobody)?;
        tracing::info!(user = %user.id, client = %client.id, "FedCM disconnect");
        Ok::<_, ApiError>(json!({ "account_id": user.id.to_string() }))
    };
    answer_to(&origin, answered.await)
}
