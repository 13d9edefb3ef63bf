//! `POST /fedcm/assertion`: a site's FedCM request, made by the browser
//! with the SSO cookie once the person (or the browser, silently) chose an
//! account. For the library, the token handed to the site is exactly the
//! JSON `/sso/check` would deliver to its receiver for the same query: the
//! library sends that query as `params.query`, and it is verified the same
//! way (registered client and receiver, segments, flow). For a site that
//! calls FedCM itself (no `query`), it is an ID token (`id_token.rs`).
//! Both on top of FedCM's own checks: the request comes from the browser's
//! FedCM, from one of the client's registered origins, for an account
//! signed in here.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::super::check::{Cookie, checked};
use super::super::{Target, validate_passthrough};
use super::id_token::id_token_for;
use super::{Verified, answer_to, error, verify};
use crate::error::ApiError;
use crate::routes::openapi::forms;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::domain::{FieldError, Nonce, UserId};

/// The form is a handful of short fields and the check's query: room for
/// a `params` one past its limit even when every byte is percent-encoded,
/// so that one is refused by name (400), not for its size.
const BODY_LIMIT: usize = 16 * 1024;
const QUERY_LIMIT: usize = 4 * 1024;

/// What the library passes through FedCM's `params`: the check's query,
/// and the OpenID Connect `nonce` where the site gives it there (Chrome 143
/// and later send a nonce only inside `params`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryParams {
    query: String,
    #[serde(default)]
    nonce: Option<String>,
}

#[utoipa::path(
    post, path = "/fedcm/assertion", tag = "fedcm",
    description = "FedCM's ID assertion endpoint: the browser's request for a site, once an account is chosen. With the library's `params.query`, the token is the JSON `/sso/check` would deliver for it; without, an OpenID Connect ID token for `client_id` with the site's `nonce`. Only for the browser's FedCM, from one of the client's registered origins (answered with CORS for it).",
    params(forms::FedCmHeaders),
    security(("sso_cookie" = []), ()),
    request_body(content = forms::FedCmAssertion, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`{\"token\":\"<the /sso/check result as JSON text>\"}`, or `{\"token\":\"<an ID token>\"}` without `params.query`", body = Object),
        (status = 400, description = "`{\"error\":{\"code\":<catalog name>}, \"error_description\", \"request_id\"}`: not a FedCM request, or a malformed form", body = Object),
        (status = 403, description = "`{\"error\":{\"code\":\"origin_not_allowed\"}, …}`, without CORS: the origin is not the client's", body = Object),
        (status = 413, description = "`{\"error\":{\"code\":\"payload_too_large\"}, …}`", body = Object),
    ),
)]
pub async fn assertion(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let settings = &state.settings;
    let Verified { origin, form } = match verify(&state, &req, payload, BODY_LIMIT).await {
        Ok(verified) => verified,
        Err(err) => return error(&err, None),
    };
    let answered = async {
        let account = form.parse("account_id", |v| {
            UserId::parse(v).map_err(|_| {
                FieldError::Malformed("the id of an account the accounts endpoint listed")
            })
        })?;
        // FedCM's top-level nonce, from browsers before Chrome 143: checked
        // even where the library's query carries the nonce instead.
        let top_nonce = form.parse_opt("nonce", Nonce::parse)?;
        let query = match form.optional("params")?.map(site_params).transpose()? {
            Some(SiteParams::Library(params)) => with_params_nonce(params)?,
            other => {
                // A site without the library: an ID token for the client.
                let nonce = match other {
                    Some(SiteParams::Other { nonce: Some(nonce) }) => {
                        Some(Nonce::parse(&nonce).map_err(|p| ApiError::invalid("params", p))?)
                    }
                    _ => top_nonce,
                };
                let client = form.client(settings)?;
                let token = id_token_for(&state, &req, client, account, nonce).await?;
                return Ok(json!({ "token": token }));
            }
        };
        let p = Params::from_query(&query)?;
        let target = Target::resolve(settings, &p)?;
        if target.client.id.as_str() != form.required("client_id")? {
            return Err(ApiError::invalid(
                "params",
                FieldError::Malformed("a query for the same client_id"),
            ));
        }
        // From here on, as for `/sso/check`: errors travel in the token.
        let result = match validate_passthrough(&p) {
            Ok(()) => checked(&state, &req, &p, &target, Cookie::Sent, Some(account)).await,
            Err(err) => Err(err),
        };
        let token = match result {
            Ok(result) => serde_json::to_string(&result),
            Err(err) => serde_json::to_string(&target.error_result(&err)),
        };
        let token = token.map_err(|_| ApiError::Internal)?;
        Ok(json!({ "token": token }))
    };
    answer_to(&origin, answered.await)
}

/// The check's query with `params.nonce`: the query's own when it has
/// none, and refused when it names another.
fn with_params_nonce(params: LibraryParams) -> Result<String, ApiError> {
    let Some(nonce) = params.nonce else {
        return Ok(params.query);
    };
    match Params::from_query(&params.query)?.optional("nonce")? {
        Some(own) if own == nonce => Ok(params.query),
        Some(_) => Err(ApiError::invalid(
            "params",
            FieldError::Malformed("one nonce: `params.nonce` and the query's are different"),
        )),
        None => {
            let encoded: String = url::form_urlencoded::byte_serialize(nonce.as_bytes()).collect();
            Ok(format!("{}&nonce={encoded}", params.query))
        }
    }
}

/// FedCM's `params`: the library's, or a site's own for an ID token,
/// where only a `nonce` concerns us (a site may pass anything else).
enum SiteParams {
    Library(LibraryParams),
    Other { nonce: Option<String> },
}

fn site_params(raw: &str) -> Result<SiteParams, ApiError> {
    let invalid = |problem| ApiError::invalid("params", problem);
    if raw.len() > QUERY_LIMIT {
        return Err(invalid(FieldError::TooLong(QUERY_LIMIT)));
    }
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(raw).map_err(|_| invalid(FieldError::Malformed("a JSON object")))?;
    if object.contains_key("query") {
        return serde_json::from_value(object.into())
            .map(SiteParams::Library)
            .map_err(|_| {
                invalid(FieldError::Malformed(
                    "the library's {\"query\": \"<the /sso/check query>\"} (and an optional \"nonce\")",
                ))
            });
    }
    match object.get("nonce") {
        None => Ok(SiteParams::Other { nonce: None }),
        Some(serde_json::Value::String(nonce)) => Ok(SiteParams::Other {
            nonce: Some(nonce.clone()),
        }),
        Some(_) => Err(invalid(FieldError::Malformed("`nonce` as a string"))),
    }
}
