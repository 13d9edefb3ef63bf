//! Schemas of answers that the handlers assemble from JSON values (their
//! fields depend on the configuration: released profile fields, a user's
//! optional email). Answers with a fixed shape are Rust types next to their
//! handlers and carry their own schema ([`crate::error::ErrorBody`],
//! [`crate::api::EnvelopeHeader`], the token answers, the registration
//! answer). Schemathesis checks every answer against these.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::EnvelopeHeader;

/// `/healthz` and `/readyz`.
#[derive(ToSchema, Serialize)]
pub struct Health {
    /// `ok` (alive) or `ready` (the store answers).
    #[schema(examples("ok"))]
    status: String,
}

/// The fields of a profile a flow releases (`user_data`); each appears only
/// when released.
#[derive(ToSchema, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleasedProfile {
    email: Option<String>,
    display_name: Option<String>,
    /// The user's uuid.
    uuid: Option<String>,
}

/// `GET /entity`.
#[derive(ToSchema, Serialize)]
pub struct Entity {
    /// `ok`.
    stat: String,
    result: EntityResult,
}

#[derive(ToSchema, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityResult {
    email: Option<String>,
    /// With `email`: the person confirmed the address through the mailed link.
    email_verified: Option<bool>,
    display_name: Option<String>,
    uuid: Option<String>,
    /// The client the token was issued to.
    #[serde(rename = "client_id")]
    client_id: String,
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0).
#[derive(ToSchema, Serialize)]
pub struct OpenidConfiguration {
    /// The `public_url`, without a trailing slash; the `iss` of ID tokens.
    issuer: String,
    /// `/oauth/authorize`.
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    /// `/oauth/logout` (RP-initiated logout).
    end_session_endpoint: String,
    response_types_supported: Vec<String>,
    response_modes_supported: Vec<String>,
    prompt_values_supported: Vec<String>,
    /// RFC 9207: answers of the authorization endpoint carry `iss`.
    authorization_response_iss_parameter_supported: bool,
    request_parameter_supported: bool,
    request_uri_parameter_supported: bool,
    claims_parameter_supported: bool,
    ui_locales_supported: Vec<String>,
    grant_types_supported: Vec<String>,
    subject_types_supported: Vec<String>,
    id_token_signing_alg_values_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    code_challenge_methods_supported: Vec<String>,
    scopes_supported: Vec<String>,
    claims_supported: Vec<String>,
    backchannel_logout_supported: bool,
    backchannel_logout_session_supported: bool,
}

/// `GET /oauth/jwks`: the P-256 keys that sign ID tokens.
#[derive(ToSchema, Serialize)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

/// One public key (RFC 7517); `kid` is its RFC 7638 thumbprint.
#[derive(ToSchema, Serialize)]
pub struct Jwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
    kid: String,
    alg: String,
    #[serde(rename = "use")]
    use_: Option<String>,
}

/// A user of the application API (`user/create`, `user/info`, …).
#[derive(ToSchema, Serialize)]
pub struct ApiUser {
    /// uuid.
    id: String,
    email: Option<String>,
    username: Option<String>,
    displayname: String,
    roles: Vec<String>,
    /// `2016-04-20 17:02:18 +0000`.
    created: String,
}

/// `{"user": …}`.
#[derive(ToSchema, Serialize)]
pub struct UserBody {
    user: ApiUser,
}

/// `user/linkssotoken`: the user and the service now linked.
#[derive(ToSchema, Serialize)]
pub struct LinkedBody {
    /// The user's uuid.
    user: String,
    service: String,
}

/// `user/clearssotoken`.
#[derive(ToSchema, Serialize)]
pub struct ClearedBody {
    /// Whether a token was linked.
    cleared: bool,
}

/// `session/createwithsso`.
#[derive(ToSchema, Serialize)]
pub struct SessionCreatedBody {
    /// The session's Bearer secret.
    session: String,
    /// Unix seconds.
    expires: i64,
    user: ApiUser,
}

/// `session/info`.
#[derive(ToSchema, Serialize)]
pub struct SessionInfoBody {
    user: Option<ApiUser>,
    /// Unix seconds.
    created: i64,
    /// Unix seconds.
    expires: i64,
}

/// `session/delete`.
#[derive(ToSchema, Serialize)]
pub struct DeletedBody {
    deleted: bool,
}

/// Envelopes, one per answer body.
macro_rules! envelope {
    ($($name:ident => $body:ty),* $(,)?) => {$(
        #[derive(ToSchema, Serialize)]
        pub struct $name {
            header: EnvelopeHeader<'static>,
            body: $body,
        }
    )*};
}

/// `user/sessions`.
#[derive(ToSchema, Serialize)]
pub struct SessionsBody {
    /// Most recently used first.
    sessions: Vec<crate::routes::session_view::SessionView>,
}

/// `user/endsession`, `user/endallsessions`.
#[derive(ToSchema, Serialize)]
pub struct EndedBody {
    /// How many sessions were ended.
    ended: usize,
    /// The sign-out's id for `logout/status`; `null` when no site backend
    /// takes back-channel logouts for them.
    signout: Option<String>,
}

/// `logout/status`: each client's delivery of one sign-out.
#[derive(ToSchema, Serialize)]
pub struct LogoutStatusBody {
    deliveries: Vec<Delivery>,
}

#[derive(ToSchema, Serialize)]
pub struct Delivery {
    /// The client (site) told.
    client: String,
    /// `pending`, `delivered` (the backend acknowledged), `retrying`, or
    /// `abandoned` (not acknowledged within `backchannel.retry_secs`).
    #[schema(pattern = "^(pending|delivered|retrying|abandoned)$")]
    state: String,
}

envelope! {
    UserAnswer => UserBody,
    LinkedAnswer => LinkedBody,
    ClearedAnswer => ClearedBody,
    SessionCreatedAnswer => SessionCreatedBody,
    SessionInfoAnswer => SessionInfoBody,
    DeletedAnswer => DeletedBody,
    SessionsAnswer => SessionsBody,
    EndedAnswer => EndedBody,
    LogoutStatusAnswer => LogoutStatusBody,
}

/// Every failure of the application API: the header says what, the body is `null`.
#[derive(ToSchema, Serialize)]
pub struct ApiFailureAnswer {
    header: EnvelopeHeader<'static>,
    #[schema(schema_with = null)]
    body: (),
}

fn null() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Null)
        .build()
}
