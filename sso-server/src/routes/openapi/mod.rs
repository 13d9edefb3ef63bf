//! The OpenAPI 3.1 document of the HTTP API, served at `/openapi.json`.
//!
//! It is derived from the handlers: each carries a `#[utoipa::path]` with
//! its method, path, parameters and every status it answers with; answers
//! with a fixed shape are the Rust types the handlers serialise. The
//! document is rendered once at start, with the deployment's `public_url` as
//! its server. Static files (`/sso.js`, …) are not part of it.

pub mod account_forms;
pub mod answers;
pub mod authorize_forms;
mod form_rules;
use form_rules::FormRules;
pub mod forms;
pub mod oidc_forms;
pub mod passkey_forms;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Server};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Federated SSO server",
        description = "Sign in once on any site of a family, be signed in silently on the others, \
                       sign out everywhere at once. The browser endpoints (`/sso/*`) are driven by \
                       the library `/sso.js`; the rest is for sites' pages and backends. \
                       See the repository's README and docs/protocol.md.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        super::registration::register,
        super::registration::sign_in,
        super::passkeys::sign_in::challenge,
        super::passkeys::sign_in::sign_in,
        super::passkeys::manage::add_challenge,
        super::passkeys::manage::add,
        super::passkeys::manage::account_rename,
        super::passkeys::manage::account_delete,
        super::passkeys::page::page,
        super::passkeys::sign_in::hosted_challenge,
        super::passkeys::manage::list,
        super::passkeys::manage::rename,
        super::passkeys::manage::delete,
        super::passkeys::well_known,
        super::account::api::forgot_password,
        super::account::api::reset_password,
        super::account::api::resend_verification,
        super::account::pages::forgot_form,
        super::account::pages::forgot_post,
        super::account::pages::reset_form,
        super::account::pages::reset_post,
        super::account::pages::verify_form,
        super::account::pages::verify_post,
        super::entity::entity,
        super::entity_sessions::list,
        super::entity_sessions::end_one,
        super::entity_sessions::end_others,
        super::entity_sessions::end_all,
        super::token::token,
        super::userinfo::userinfo,
        super::sso::authorize::authorize,
        super::sso::authorize::authorize_post,
        super::sso::authorize::hosted::sign_in,
        super::sso::authorize::hosted::create,
        super::sso::end_session::end_session,
        super::sso::end_session::end_session_post,
        super::userinfo::userinfo_post,
        super::discovery::openid_configuration,
        super::discovery::jwks,
        super::sso::check::check,
        super::sso::set::set,
        super::sso::end::end,
        super::sso::storage_access::page::storage_access,
        super::sso::fedcm::well_known,
        super::sso::fedcm::config,
        super::sso::fedcm::accounts::accounts,
        super::sso::fedcm::client_metadata,
        super::sso::fedcm::assertion::assertion,
        super::sso::fedcm::disconnect::disconnect,
        super::sso::fedcm::sign_in,
        super::api::user_create,
        super::api::user_info,
        super::api::user_link_sso_token,
        super::api::user_clear_sso_token,
        super::api::session_create_with_sso,
        super::api::session_info,
        super::api::session_delete,
        super::api::user_sessions,
        super::api::user_end_session,
        super::api::user_end_all_sessions,
        super::api::logout_status,
        super::health::healthz,
        super::health::readyz,
    ),
    modifiers(&SecuritySchemes, &FormRules),
    tags(
        (name = "sso", description = "The browser endpoints the library calls"),
        (name = "fedcm", description = "The FedCM identity provider the browser calls for the library where third-party cookies are blocked"),
        (name = "registration", description = "Sign-up and sign-in from a site's page, and the profile behind an access token"),
        (name = "account", description = "The pages a person reaches from a mailed link: confirm an address, reset a password"),
        (name = "oauth", description = "Code redemption and OpenID Connect for site backends"),
        (name = "application API", description = "Accounts and sessions of a site family's backends"),
        (name = "operations", description = "Probes"),
    ),
)]
struct ApiDoc;

/// The ways callers prove who they are (the browser's session cookie is
/// named per deployment: [`document`] adds it).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let basic = |description: &str| {
            let mut http = Http::new(HttpAuthScheme::Basic);
            http.description = Some(description.to_owned());
            SecurityScheme::Http(http)
        };
        let bearer = |description: &str| {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(description.to_owned());
            SecurityScheme::Http(http)
        };
        components.add_security_scheme(
            "client_basic",
            basic("A site's `client_id` and secret (`client_secret_basic`)"),
        );
        components.add_security_scheme(
            "app_basic",
            basic("An application's id and secret from `[[applications]]`"),
        );
        components.add_security_scheme(
            "api_session",
            bearer("A session from `session/createwithsso`"),
        );
        components.add_security_scheme(
            "bearer",
            bearer("An access token from `check_session`, the registration API or `/oauth/token`"),
        );
    }
}

/// The document for a server reachable at `public_url` whose browsers hold
/// their sign-in in the cookie `session_cookie`.
pub fn document(public_url: &str, session_cookie: &str) -> Document {
    let mut doc = ApiDoc::openapi();
    let mut cookie = ApiKeyValue::new(session_cookie);
    cookie.description = Some(
        "The browser's SSO session cookie (set by `/sso/set`); the FedCM endpoints read it"
            .to_owned(),
    );
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme("sso_cookie", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.servers = Some(vec![Server::new(public_url.trim_end_matches('/'))]);
    doc
}

fn rendered(state: &AppState) -> &str {
    state.openapi.get_or_init(|| {
        document(state.settings.issuer(), &state.settings.cookie.name)
            .to_json()
            .expect("the OpenAPI document serialises")
    })
}

/// `GET /openapi.json`.
pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(rendered(&state).to_owned())
}
