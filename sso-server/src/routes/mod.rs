//! HTTP routes, one module per resource.

mod account;
mod api;
mod discovery;
mod entity;
mod entity_sessions;
pub mod health;
mod library;
pub mod openapi;
pub mod params;
mod passkeys;
mod profile;
mod registration;
pub mod session_view;
pub mod sso;
mod token;
mod userinfo;

use actix_cors::Cors;
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, Route, web};

use crate::error::ApiError;
use sso_core::config::Settings;

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// The catalog's 405, with the `Allow` header RFC 9110 §15.5.6 requires.
fn method_not_allowed(allow: HeaderValue) -> Route {
    web::to(move || {
        let mut response = ApiError::MethodNotAllowed.error_response();
        response.headers_mut().insert(header::ALLOW, allow.clone());
        std::future::ready(response)
    })
}

/// A resource with one method; other methods get the catalog's 405.
fn one(path: &str, method: Method, route: Route) -> actix_web::Resource {
    let allow = HeaderValue::from_str(method.as_str()).expect("a method name is a header value");
    web::resource(path)
        .route(route.method(method))
        .default_service(method_not_allowed(allow))
}

/// A static file: `GET` and `HEAD` (caches and CDNs probe with it).
fn asset<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(method_not_allowed(HeaderValue::from_static("GET, HEAD")))
}

/// A hosted page: `GET` shows its form, `POST` acts.
fn form_page<G, P, GA, PA>(path: &str, get: G, post: P) -> actix_web::Resource
where
    G: actix_web::Handler<GA>,
    GA: actix_web::FromRequest + 'static,
    G::Output: actix_web::Responder + 'static,
    P: actix_web::Handler<PA>,
    PA: actix_web::FromRequest + 'static,
    P::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(get))
        .route(web::post().to(post))
        .default_service(method_not_allowed(HeaderValue::from_static("GET, POST")))
}

/// CORS for the registration API and `/entity`: registered origins only.
/// Mismatched origins are not blocked here but by the handlers, so that they
/// get a catalog error rather than the middleware's plain text.
fn cors(settings: &Settings) -> Cors {
    let origins = settings.all_origins();
    Cors::default()
        .allowed_origin_fn(move |origin, _| origin.to_str().is_ok_and(|o| origins.contains(o)))
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .block_on_origin_mismatch(false)
        .max_age(3600)
}

/// The admin listener's routes: metrics, and the probes again so that a
/// monitor needs only the admin port.
pub fn configure_admin(cfg: &mut web::ServiceConfig) {
    cfg.service(one(
        "/healthz",
        Method::GET,
        web::route().to(health::healthz),
    ))
    .service(one("/readyz", Method::GET, web::route().to(health::readyz)))
    .service(one(
        "/metrics",
        Method::GET,
        web::route().to(health::metrics),
    ))
    .default_service(web::to(not_found));
}

pub fn configure(settings: &Settings) -> impl FnOnce(&mut web::ServiceConfig) {
    let cors_oauth = cors(settings);
    let cors_entity = cors(settings);
    move |cfg: &mut web::ServiceConfig| {
        cfg.service(one(
            "/healthz",
            Method::GET,
            web::route().to(health::healthz),
        ))
        .service(one("/readyz", Method::GET, web::route().to(health::readyz)))
        .service(
            web::scope("/oauth")
                .wrap(cors_oauth)
                .service(one(
                    "/register_native_traditional",
                    Method::POST,
                    web::route().to(registration::register),
                ))
                .service(one(
                    "/auth_native_traditional",
                    Method::POST,
                    web::route().to(registration::sign_in),
                ))
                .service(one(
                    "/passkey_challenge",
                    Method::POST,
                    web::route().to(passkeys::sign_in::challenge),
                ))
                .service(one(
                    "/auth_native_passkey",
                    Method::POST,
                    web::route().to(passkeys::sign_in::sign_in),
                ))
                .service(one(
                    "/forgot_password",
                    Method::POST,
                    web::route().to(account::forgot_password),
                ))
                .service(one(
                    "/reset_password",
                    Method::POST,
                    web::route().to(account::reset_password),
                ))
                .service(one("/token", Method::POST, web::route().to(token::token)))
                .service(
                    web::resource("/authorize")
                        .route(web::get().to(sso::authorize::authorize))
                        .route(web::post().to(sso::authorize::authorize_post))
                        .default_service(method_not_allowed(HeaderValue::from_static("GET, POST"))),
                )
                .service(one(
                    "/authorize/sign-in",
                    Method::POST,
                    web::route().to(sso::authorize::sign_in),
                ))
                .service(one(
                    "/authorize/passkey",
                    Method::POST,
                    web::route().to(passkeys::sign_in::hosted_challenge),
                ))
                .service(one(
                    "/authorize/create",
                    Method::POST,
                    web::route().to(sso::authorize::create),
                ))
                .service(asset("/form_post.js", sso::authorize::form_post_js))
                .service(
                    web::resource("/logout")
                        .route(web::get().to(sso::end_session::end_session))
                        .route(web::post().to(sso::end_session::end_session_post))
                        .default_service(method_not_allowed(HeaderValue::from_static("GET, POST"))),
                )
                .service(
                    web::resource("/userinfo")
                        .route(web::get().to(userinfo::userinfo))
                        .route(web::post().to(userinfo::userinfo_post))
                        .default_service(method_not_allowed(HeaderValue::from_static("GET, POST"))),
                )
                .service(one("/jwks", Method::GET, web::route().to(discovery::jwks))),
        )
        .service(
            web::scope("/account")
                .service(form_page(
                    "/forgot",
                    account::forgot_form,
                    account::forgot_post,
                ))
                .service(form_page(
                    "/reset",
                    account::reset_form,
                    account::reset_post,
                ))
                .service(form_page(
                    "/verify",
                    account::verify_form,
                    account::verify_post,
                ))
                .service(one(
                    "/passkeys",
                    Method::GET,
                    web::route().to(passkeys::page::page),
                ))
                .service(asset("/passkeys.js", passkeys::script))
                .service(one(
                    "/passkeys/rename",
                    Method::POST,
                    web::route().to(passkeys::manage::account_rename),
                ))
                .service(one(
                    "/passkeys/delete",
                    Method::POST,
                    web::route().to(passkeys::manage::account_delete),
                ))
                .service(one(
                    "/passkeys/challenge",
                    Method::POST,
                    web::route().to(passkeys::manage::add_challenge),
                ))
                .service(one(
                    "/passkeys/add",
                    Method::POST,
                    web::route().to(passkeys::manage::add),
                )),
        )
        .service(one(
            "/.well-known/webauthn",
            Method::GET,
            web::route().to(passkeys::well_known),
        ))
        .service(one(
            "/.well-known/openid-configuration",
            Method::GET,
            web::route().to(discovery::openid_configuration),
        ))
        .service(
            web::scope("/entity")
                .wrap(cors_entity)
                .service(one("", Method::GET, web::route().to(entity::entity)))
                .service(one(
                    "/sessions",
                    Method::GET,
                    web::route().to(entity_sessions::list),
                ))
                .service(one(
                    "/sessions/end",
                    Method::POST,
                    web::route().to(entity_sessions::end_one),
                ))
                .service(one(
                    "/sessions/end_others",
                    Method::POST,
                    web::route().to(entity_sessions::end_others),
                ))
                .service(one(
                    "/sessions/end_all",
                    Method::POST,
                    web::route().to(entity_sessions::end_all),
                ))
                .service(one(
                    "/passkeys",
                    Method::GET,
                    web::route().to(passkeys::manage::list),
                ))
                .service(one(
                    "/passkeys/rename",
                    Method::POST,
                    web::route().to(passkeys::manage::rename),
                ))
                .service(one(
                    "/passkeys/delete",
                    Method::POST,
                    web::route().to(passkeys::manage::delete),
                ))
                .service(one(
                    "/email/verification",
                    Method::POST,
                    web::route().to(account::resend_verification),
                )),
        )
        .service({
            let action = |path: &str, route: Route| {
                web::resource(path)
                    .route(route.method(Method::POST))
                    .default_service(web::to(api::wrong_method))
            };
            web::scope("/api")
                .service(action("/user/create", web::route().to(api::user_create)))
                .service(action("/user/info", web::route().to(api::user_info)))
                .service(action(
                    "/user/linkssotoken",
                    web::route().to(api::user_link_sso_token),
                ))
                .service(action(
                    "/user/clearssotoken",
                    web::route().to(api::user_clear_sso_token),
                ))
                .service(action(
                    "/session/createwithsso",
                    web::route().to(api::session_create_with_sso),
                ))
                .service(action("/session/info", web::route().to(api::session_info)))
                .service(action(
                    "/user/sessions",
                    web::route().to(api::user_sessions),
                ))
                .service(action(
                    "/logout/status",
                    web::route().to(api::logout_status),
                ))
                .service(action(
                    "/user/endsession",
                    web::route().to(api::user_end_session),
                ))
                .service(action(
                    "/user/endallsessions",
                    web::route().to(api::user_end_all_sessions),
                ))
                .service(action(
                    "/session/delete",
                    web::route().to(api::session_delete),
                ))
                .default_service(web::to(api::unknown_action))
        })
        .service(one("/sso/check", Method::GET, web::route().to(sso::check)))
        .service(one("/sso/set", Method::GET, web::route().to(sso::set)))
        .service(one("/sso/end", Method::GET, web::route().to(sso::end)))
        .service(one(
            "/sso/storage-access",
            Method::GET,
            web::route().to(sso::storage_access),
        ))
        .service(one(
            "/.well-known/web-identity",
            Method::GET,
            web::route().to(sso::fedcm::well_known),
        ))
        .service(one(
            sso::fedcm::CONFIG_PATH,
            Method::GET,
            web::route().to(sso::fedcm::config),
        ))
        .service(one(
            sso::fedcm::ACCOUNTS_PATH,
            Method::GET,
            web::route().to(sso::fedcm::accounts),
        ))
        .service(one(
            sso::fedcm::CLIENT_METADATA_PATH,
            Method::GET,
            web::route().to(sso::fedcm::client_metadata),
        ))
        .service(one(
            sso::fedcm::ASSERTION_PATH,
            Method::POST,
            web::route().to(sso::fedcm::assertion),
        ))
        .service(one(
            sso::fedcm::DISCONNECT_PATH,
            Method::POST,
            web::route().to(sso::fedcm::disconnect),
        ))
        .service(one(
            sso::fedcm::SIGN_IN_PATH,
            Method::GET,
            web::route().to(sso::fedcm::sign_in),
        ))
        .service(one(
            "/openapi.json",
            Method::GET,
            web::route().to(openapi::serve),
        ))
        .service(asset("/sso.js", library::script))
        .service(asset("/sso_bg.wasm", library::wasm))
        .service(asset("/sso.d.ts", library::types))
        .default_service(web::to(not_found));
    }
}
