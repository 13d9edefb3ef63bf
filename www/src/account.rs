//! The news site's backend: accounts on demand, as the source describes.
//!
//! The page asks `check_session` for a one-time `code` and posts it here;
//! the backend redeems it, finds (or creates and links) the site's own
//! account through the application API, and keeps that account's session
//! in an HttpOnly cookie. The page gets who signed in and the access token,
//! which is bound to the SSO session and so tells it about a sign-out
//! elsewhere.
//!
//! - `POST /account/sso` `{"code": "…"}`: sign in with a code.
//! - `GET /account`: the account of this browser's session.
//! - `POST /account/signout`: end that session.
//! - `POST /account/backchannel-logout`: the SSO server's back-channel
//!   logout (`logout_token`): ends the sessions made for that sign-in.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::backchannel::LogoutReceiver;
use crate::sso_api::{SsoApi, SsoApiError};

/// The cookie holding the account session (the API session's bearer secret).
pub const COOKIE: &str = "news_account";

/// The application API's answer to a session secret that no longer works.
const SESSION_ENDED: &str = "AUTHENTICATION_FAILED";

/// The backend of one site.
#[derive(Clone)]
pub struct AccountBackend {
    api: SsoApi,
    logouts: std::sync::Arc<LogoutReceiver>,
    /// Where `check_session` delivers codes: the site's receiver page. The
    /// token request must repeat it.
    receiver: String,
    secure_cookie: bool,
}

impl AccountBackend {
    /// `origin`: the site's public origin, e.g. `http://news.localhost:8081`.
    pub fn new(api: SsoApi, origin: &str) -> Self {
        let origin = origin.trim_end_matches('/');
        Self {
            logouts: std::sync::Arc::new(LogoutReceiver::new(api.clone(), "news")),
            api,
            receiver: format!("{origin}/xd_receiver.html"),
            secure_cookie: origin.starts_with("https:"),
        }
    }

    /// Adds the backend's routes to a site's app.
    pub fn routes(self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::new(self))
            .app_data(
                web::JsonConfig::default()
                    .limit(4096)
                    .error_handler(|e, _| {
                        let message = format!("the body must be JSON {{\"code\": \"…\"}}: {e}");
                        actix_web::error::InternalError::from_response(
                            e,
                            failure(StatusCode::BAD_REQUEST, &message),
                        )
                        .into()
                    }),
            )
            .route("/account/sso", web::post().to(sign_in))
            .route("/account", web::get().to(account))
            .route("/account/signout", web::post().to(sign_out))
            .route(
                "/account/backchannel-logout",
                web::post().to(backchannel_logout),
            );
    }

    /// Tells the browser to drop the account cookie.
    fn removal_cookie(&self) -> Cookie<'static> {
        self.cookie(String::new(), CookieDuration::ZERO)
    }

    fn cookie(&self, value: String, max_age: CookieDuration) -> Cookie<'static> {
        Cookie::build(COOKIE, value)
            .path("/")
            .http_only(true)
            .secure(self.secure_cookie)
            .same_site(SameSite::Lax)
            .max_age(max_age)
            .finish()
    }
}

#[derive(Deserialize)]
struct SignIn {
    code: String,
}

fn failure(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": message }))
}

/// A refused code is the caller's problem; anything else is the SSO
/// server's, which this backend sits in front of.
fn upstream_failure(err: &SsoApiError) -> HttpResponse {
    let status = match err {
        SsoApiError::CodeRefused { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::BAD_GATEWAY,
    };
    failure(status, &err.to_string())
}

async fn sign_in(backend: web::Data<AccountBackend>, body: web::Json<SignIn>) -> HttpResponse {
    let signed_in = match backend
        .api
        .sign_in_with_code(&body.code, &backend.receiver)
        .await
    {
        Ok(s) => s,
        Err(err) => return upstream_failure(&err),
    };
    let session = &signed_in.session;
    let lifetime = session.expires - now();
    let claims = &signed_in.claims;
    backend.logouts.made(
        claims.sid.as_deref(),
        &claims.sub,
        &session.session,
        session.expires,
        now(),
    );
    HttpResponse::Ok()
        .cookie(backend.cookie(session.session.clone(), CookieDuration::seconds(lifetime)))
        .json(json!({
            "user": { "uuid": claims.sub, "email": claims.email, "displayName": claims.name },
            "account": {
                "id": session.user.id,
                "displayname": session.user.displayname,
                "created": signed_in.created,
            },
            "access_token": signed_in.access_token,
            "expires": session.expires,
        }))
}

async fn account(backend: web::Data<AccountBackend>, req: HttpRequest) -> HttpResponse {
    let Some(cookie) = req.cookie(COOKIE) else {
        return failure(StatusCode::UNAUTHORIZED, "no account session");
    };
    match backend.api.session_account(cookie.value()).await {
        Ok(account) => HttpResponse::Ok().json(json!({
            "account": { "id": account.id, "displayname": account.displayname },
        })),
        Err(e) if e.is_api(SESSION_ENDED) => {
            let mut gone = failure(StatusCode::UNAUTHORIZED, "the account session has ended");
            let _ = gone.add_removal_cookie(&backend.removal_cookie());
            gone
        }
        Err(err) => upstream_failure(&err),
    }
}

async fn sign_out(backend: web::Data<AccountBackend>, req: HttpRequest) -> HttpResponse {
    if let Some(cookie) = req.cookie(COOKIE) {
        match backend.api.delete_session(cookie.value()).await {
            // Already ended is as good as ended now.
            Ok(()) => {}
            Err(e) if e.is_api(SESSION_ENDED) => {}
            Err(err) => return upstream_failure(&err),
        }
    }
    let mut done = HttpResponse::Ok().json(json!({ "signed_out": true }));
    let _ = done.add_removal_cookie(&backend.removal_cookie());
    done
}

#[derive(Deserialize)]
struct Logout {
    logout_token: String,
}

/// §2.8: 200 when the logout was done, 400 with a reason when the token is
/// refused (a replay included: it was done the first time).
async fn backchannel_logout(
    backend: web::Data<AccountBackend>,
    form: web::Form<Logout>,
) -> HttpResponse {
    match backend.logouts.validate(&form.logout_token, now()).await {
        Ok(claims) => match backend.logouts.end_sessions(&claims, now()).await {
            Ok(ended) => HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(json!({ "ended": ended })),
            // Not ended: the SSO server retries (with a new token).
            Err(err) => {
                eprintln!("news: {err}");
                HttpResponse::ServiceUnavailable()
                    .insert_header(("Cache-Control", "no-store"))
                    .json(json!({ "error": "temporarily_unavailable", "error_description": err.to_string() }))
            }
        },
        Err(err) => HttpResponse::BadRequest()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "error": "invalid_request", "error_description": err.to_string() })),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
