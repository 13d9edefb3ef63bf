//! The SSO browser endpoints `/sso/check`, `/sso/set` and `/sso/end` (and
//! OpenID Connect's RP-initiated logout, `end_session.rs`, which shares
//! their cookie).
//!
//! Every answer is a `303` to the client's *registered* receiver (or redirect
//! URI) with the result in the URL fragment: `#state=<state>&sso=<JSON>`.
//! Before anything is redirected, the client, the receiver URL (exact match)
//! and the `state` are verified; if any of them is wrong the answer is a
//! `400` page with no `Location`. Every later error travels to the receiver
//! as `{"stat":"error",...}`, because the library cannot read the status of
//! a cross-origin frame.

pub(super) mod authorize;
pub(super) mod check;
pub(super) mod cookie;
pub(super) mod end;
pub(super) mod end_session;
mod establish;
pub(super) mod fedcm;
mod fragment;
mod login_status;
pub(super) mod set;
pub(in crate::routes) mod storage_access;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Value, json};
use sso_protocol::{param, stat, status};

use super::params::Params;
use crate::error::ApiError;
use crate::state::AppState;
use sso_core::config::{Client, Settings};
use sso_core::domain::{FieldError, Segment, SegmentList, State};

pub use check::check;
pub use end::end;
pub use set::set;
pub use storage_access::storage_access;

/// How a page of the server answering this request looks: the global
/// brand, the language `ui_locales` asks for (when the request was read).
fn look<'a>(state: &'a AppState, p: Option<&Params<'_>>) -> crate::pages::Look<'a> {
    let ui_locales = p.and_then(|p| p.optional("ui_locales").ok().flatten());
    crate::pages::Look::new(&state.settings.branding, ui_locales)
}

/// The shape of every SSO endpoint: verify the target (or answer with the
/// `400` page), then deliver either the endpoint's answer or its error.
async fn serve(
    state: &AppState,
    req: &HttpRequest,
    answer: impl AsyncFn(
        &AppState,
        &HttpRequest,
        &Params<'_>,
        &Target<'_>,
    ) -> Result<HttpResponse, ApiError>,
) -> HttpResponse {
    let p = match Params::from_query(req.query_string()) {
        Ok(p) => p,
        Err(err) => return error_page(&err),
    };
    let target = match Target::resolve(&state.settings, &p) {
        Ok(t) => t,
        Err(err) => return error_page(&err),
    };
    let answered = match validate_passthrough(&p) {
        Ok(()) => answer(state, req, &p, &target).await,
        Err(err) => Err(err),
    };
    match answered {
        Ok(response) => response,
        Err(err) => target.deliver_error(&err),
    }
}

/// What [`parse_query`] found: the answer's `Location`, and for whom.
pub struct Delivered<'s> {
    pub location: String,
    pub client: &'s Client,
    pub state: String,
}

/// Everything the SSO endpoints read from a query string before they touch
/// the store or the cookie, in their order, and the `Location` the answer
/// would carry: `None` when the target is refused (the `400` page). The
/// fuzz target `sso_query` drives it and checks the `Location`.
pub fn parse_query<'s>(settings: &'s Settings, query: &str) -> Option<Delivered<'s>> {
    let p = Params::from_query(query).ok()?;
    let target = Target::resolve(settings, &p).ok()?;
    let parsed = (|| {
        validate_passthrough(&p)?;
        target.segments(&p)?;
        target.logout_index(&p)?;
        p.flow(settings, target.client, false)?;
        p.code_options()?;
        p.parse_opt("response_type", sso_core::domain::ResponseType::parse)?;
        p.parse_opt("sso_code", sso_core::domain::Secret::parse)?;
        p.flag("keep_me_logged_in")?;
        p.optional(param::CONFIRM)
    })();
    let response = match parsed {
        Ok(_) => target.deliver(&target.ok("check", "ok", "parsed", json!({}))),
        Err(err) => target.deliver_error(&err),
    };
    let location = response
        .headers()
        .get(header::LOCATION)
        .expect("every delivery has a Location");
    Some(Delivered {
        location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
        client: target.client,
        state: target.state.as_str().to_owned(),
    })
}

pub use fragment::is_encoded as is_fragment_encoded;

/// Where and to whom a result may be delivered.
struct Target<'s> {
    client: &'s Client,
    receiver: String,
    state: State,
}

impl<'s> Target<'s> {
    /// Verifies `client_id`, `xd_receiver`/`redirect_uri` and `state`.
    fn resolve(settings: &'s Settings, p: &Params<'_>) -> Result<Self, ApiError> {
        let client = p.client(settings)?;
        let receiver = match (p.optional("xd_receiver")?, p.optional("redirect_uri")?) {
            (Some(url), _) => client
                .xd_receivers
                .iter()
                .find(|r| *r == url)
                .ok_or(ApiError::UrlNotRegistered("xd_receiver"))?,
            (None, Some(url)) => client
                .redirect_uris
                .iter()
                .find(|r| *r == url)
                .ok_or(ApiError::UrlNotRegistered("redirect_uri"))?,
            (None, None) => return Err(ApiError::MissingArgument("xd_receiver")),
        };
        let state = p.parse("state", State::parse)?;
        Ok(Self {
            client,
            receiver: receiver.clone(),
            state,
        })
    }

    /// `303` to the receiver with `result` in the fragment.
    fn deliver(&self, result: &impl Serialize) -> HttpResponse {
        // Serialising these plain values cannot fail.
        let json = serde_json::to_string(result).unwrap_or_default();
        let mut location = Vec::with_capacity(self.receiver.len() + 64 + json.len() * 2);
        location.extend_from_slice(self.receiver.as_bytes());
        location.extend_from_slice(b"#state=");
        location.extend_from_slice(self.state.as_str().as_bytes());
        location.extend_from_slice(b"&sso=");
        fragment::encode_into(&mut location, &json);
        no_store(HttpResponse::SeeOther())
            .insert_header((header::LOCATION, location))
            .finish()
    }

    fn deliver_error(&self, err: &ApiError) -> HttpResponse {
        self.deliver(&self.error_result(err))
    }

    /// `{"stat":"error", …}` for this request's `state`.
    fn error_result(&self, err: &ApiError) -> Value {
        let mut body = serde_json::to_value(err.body()).unwrap_or_default();
        body["transactionId"] = self.state.as_str().into();
        body
    }

    /// A `{"stat":"ok","result":{...}}` with the common fields filled in.
    fn ok(&self, action: &str, status: &str, message: &str, extra: Value) -> Value {
        let mut result = json!({
            "status": status,
            "statusMessage": message,
            "transactionId": self.state.as_str(),
            "action": action,
        });
        if let (Some(r), Value::Object(extra)) = (result.as_object_mut(), extra) {
            r.extend(extra);
        }
        json!({ "stat": stat::OK, "result": result })
    }

    /// The browser withholds our cookie from this frame: the library must
    /// retry with a top-level redirect.
    fn blocked(&self, action: &str) -> Value {
        self.ok(
            action,
            status::THIRD_PARTY_COOKIES_BLOCKED,
            "thirdPartyCookiesBlocked",
            json!({}),
        )
    }

    /// The site's own segment (a `segment` parameter must name exactly it)
    /// followed by the `supported_segments` it is allowed to federate with.
    fn segments(&self, p: &Params<'_>) -> Result<SegmentList, ApiError> {
        let own = &self.client.segment;
        if let Some(segment) = p.parse_opt("segment", Segment::parse)?
            && &segment != own
        {
            return Err(ApiError::SegmentNotAllowed(segment.to_string()));
        }
        let supported = p.parse_opt("supported_segments", SegmentList::parse)?;
        if let Some(list) = &supported
            && let Some(bad) = list.iter().find(|s| !self.client.may_use_segment(s))
        {
            return Err(ApiError::SegmentNotAllowed(bad.to_string()));
        }
        Ok(SegmentList::with_own(own, supported))
    }

    /// Index of the `logout_uri` the site named (it must be registered), or
    /// of its first registered one.
    fn logout_index(&self, p: &Params<'_>) -> Result<u8, ApiError> {
        let Some(uri) = p.optional("logout_uri")? else {
            return Ok(0);
        };
        self.client
            .logout_uris
            .iter()
            .position(|u| u == uri)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or(ApiError::UrlNotRegistered("logout_uri"))
    }
}

/// Parameters the library sends that the server validates but does not act on.
fn validate_passthrough(p: &Params<'_>) -> Result<(), ApiError> {
    p.parse_opt("response_method", sso_core::domain::ResponseMethod::parse)?;
    p.flag("refresh")?;
    p.parse_opt("bp_channel", |v| {
        if v.chars().count() > 256 {
            Err(FieldError::TooLong(256))
        } else {
            Ok(())
        }
    })?;
    Ok(())
}

fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    builder
}

/// The `400` page for requests whose target cannot be trusted: no redirect.
fn error_page(err: &ApiError) -> HttpResponse {
    let body = err.body();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Sign-in error</title></head><body><h1>Sign-in error</h1>\
         <p><code>{}</code> ({}): {}</p><p>Request id: <code>{}</code></p></body></html>",
        body.error,
        body.code,
        escape(&body.error_description),
        body.request_id
    );
    let status = match err.kind().identity().2 {
        s if s.is_client_error() => s,
        _ => actix_web::http::StatusCode::BAD_REQUEST,
    };
    no_store(HttpResponse::build(status))
        .content_type("text/html; charset=utf-8")
        .body(html)
}
