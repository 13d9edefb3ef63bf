//! The parameters each endpoint reads, as OpenAPI sees them. The handlers
//! read parameters by name through [`super::super::params::Params`] (so that
//! a repeat is refused and every error names its parameter); these types
//! describe the same names for the document. Schemathesis checks the two
//! agree: it sends what is described here and fails on an undocumented
//! answer. Constraints are given only where the server enforces exactly
//! that constraint, so that a value outside them is always refused.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `response_type`: what the site receives.
#[derive(ToSchema, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseType {
    /// An access token for `/entity` (the default).
    Token,
    /// A one-time authorization code for the site's backend (`/oauth/token`).
    Code,
}

/// The query of `/sso/check`, `/sso/set` and `/sso/end`.
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Query)]
pub struct SsoQuery {
    /// The site's registered client id.
    #[param(pattern = "^[A-Za-z0-9_.-]{1,64}$", example = "news")]
    client_id: String,
    /// An exact registered receiver URL of the client; the answer goes
    /// there. `redirect_uri` (an exact registered redirect URI) may be sent
    /// instead.
    #[param(example = "http://news.localhost:8081/xd_receiver.html")]
    xd_receiver: Option<String>,
    /// An exact registered redirect URI, when `xd_receiver` is absent.
    #[param(example = "http://news.localhost:8081/")]
    redirect_uri: Option<String>,
    /// The site's value, returned in the fragment as `state` and
    /// `transactionId`: 8 to 128 letters, digits, `-` and `_`.
    #[param(
        min_length = 8,
        max_length = 128,
        pattern = "^[A-Za-z0-9_-]+$",
        example = "k3Xq9-Zt_2"
    )]
    state: String,
    /// The site's own segment.
    #[param(example = "news")]
    segment: Option<String>,
    /// Dash-separated segments the site may use (its `federates_with`).
    #[param(example = "news-sport")]
    supported_segments: Option<String>,
    /// The flow (`/sso/check` with a session: the flow whose `user_data` is
    /// released).
    #[param(example = "standard")]
    flow: Option<String>,
    /// A version of the flow.
    #[param(example = "1")]
    flow_version: Option<String>,
    /// A locale of the flow.
    #[param(example = "en-US")]
    locale: Option<String>,
    #[param(inline)]
    response_type: Option<ResponseType>,
    /// `auto`, `jsonp` or `redirect`: how the library talks to the server.
    #[param(example = "redirect")]
    response_method: Option<String>,
    /// The site's registered logout page to list for front-channel sign-out.
    #[param(example = "http://news.localhost:8081/logout.html")]
    logout_uri: Option<String>,
    /// `true` when the library checks again in a tab that already checked.
    refresh: Option<bool>,
    /// Backplane channel, passed through (at most 256 characters).
    #[param(example = "family-news")]
    bp_channel: Option<String>,
    /// PKCE: BASE64URL(SHA-256(code_verifier)), 43 characters.
    #[param(example = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")]
    code_challenge: Option<String>,
    /// `S256`, with `code_challenge`.
    #[param(example = "S256")]
    code_challenge_method: Option<String>,
    /// Returned unchanged in the ID token of a code's redemption.
    #[param(example = "n-0S6_WzA2Mj")]
    nonce: Option<String>,
    /// `/sso/set`, first step: the `sso_code` from the registration API.
    sso_code: Option<String>,
    /// `/sso/set`, first step: keep the sign-in beyond the browser session.
    keep_me_logged_in: Option<bool>,
    /// `/sso/set` and `/sso/end`, second step: the token the first step
    /// answered with (only the site's receiver sees it).
    confirm: Option<String>,
}

/// What both registration API forms carry.
#[derive(ToSchema, Deserialize)]
pub struct RegistrationCommon {
    /// The site's registered client id.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// The flow the form belongs to.
    #[schema(min_length = 1, examples("standard"))]
    flow: String,
    /// A version of the flow.
    #[schema(min_length = 1, examples("1"))]
    flow_version: String,
    /// A locale of the flow.
    #[schema(min_length = 1, examples("en-US"))]
    locale: String,
    /// A registered redirect URI or receiver of the client: where the code
    /// is meant to be used (`/oauth/token` asks for it again).
    #[schema(min_length = 1, examples("http://news.localhost:8081/"))]
    redirect_uri: String,
    response_type: Option<ResponseType>,
    /// The form's name (letters, digits, `_`; at most 64), accepted and not used.
    #[schema(pattern = "^[A-Za-z0-9_]{0,64}$", examples("sign_in"))]
    form: Option<String>,
    /// PKCE, with `response_type=code`: BASE64URL(SHA-256(code_verifier)).
    #[schema(examples("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))]
    code_challenge: Option<String>,
    /// `S256`, with `code_challenge`.
    #[schema(examples("S256"))]
    code_challenge_method: Option<String>,
    /// Returned unchanged in the ID token (at most 255 printable ASCII characters).
    #[schema(pattern = "^[!-~]{0,255}$", examples("n-0S6_WzA2Mj"))]
    nonce: Option<String>,
    /// Keep the sign-in beyond the browser session: `true`/`false`,
    /// `1`/`0`, `on`/`off` or `yes`/`no`, in any case (a checkbox sends
    /// `on`); empty: absent, false.
    #[serde(rename = "keepMeLoggedIn")]
    #[schema(
        pattern = "^(|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0|[Oo][Nn]|[Oo][Ff][Ff]|[Yy][Ee][Ss]|[Nn][Oo])$",
        examples("true")
    )]
    keep_me_logged_in: Option<String>,
}

/// `POST /oauth/register_native_traditional`.
#[derive(ToSchema, Deserialize)]
pub struct RegisterForm {
    #[serde(flatten)]
    common: RegistrationCommon,
    /// The new account's email address.
    #[serde(rename = "emailAddress")]
    #[schema(min_length = 1, examples("new-person@example.com"))]
    email_address: String,
    /// 8 to 1,024 characters, different from the email address.
    #[schema(min_length = 8, max_length = 1024, examples("correct-horse-battery"))]
    password: String,
    /// The name shown to sites.
    #[serde(rename = "displayName")]
    #[schema(min_length = 1, examples("New Person"))]
    display_name: String,
}

/// `POST /oauth/auth_native_traditional`.
#[derive(ToSchema, Deserialize)]
pub struct SignInForm {
    #[serde(flatten)]
    common: RegistrationCommon,
    /// The account's email address.
    #[serde(rename = "signInEmailAddress")]
    #[schema(min_length = 1, examples("person@example.com"))]
    sign_in_email_address: String,
    /// The account's password.
    #[serde(rename = "currentPassword")]
    #[schema(min_length = 1, examples("correct-horse-battery"))]
    current_password: String,
}

/// `grant_type`: a code, or a refresh token (clients that allow it).
#[derive(ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
}

/// `POST /oauth/token`: RFC 6749 §4.1.3 and §6.
#[derive(ToSchema, Deserialize)]
pub struct TokenForm {
    #[schema(inline)]
    grant_type: GrantType,
    /// `authorization_code`: the one-time code from `check_session` or the
    /// registration API.
    #[schema(min_length = 1)]
    code: Option<String>,
    /// `refresh_token`: the client's current refresh token.
    refresh_token: Option<String>,
    /// The URL the code was delivered to, exactly.
    #[schema(examples("http://news.localhost:8081/"))]
    redirect_uri: Option<String>,
    /// `client_secret_post`, or a public client's id (with `code_verifier`).
    #[schema(examples("news"))]
    client_id: Option<String>,
    /// `client_secret_post`; never together with HTTP Basic.
    client_secret: Option<String>,
    /// PKCE: the verifier of the code's `code_challenge` (43 to 128 characters).
    code_verifier: Option<String>,
}

/// `POST /api/user/create`.
#[derive(ToSchema, Deserialize)]
pub struct UserCreateForm {
    /// An email address (this or `username`, or both).
    #[schema(examples("jo@example.com"))]
    email: Option<String>,
    /// A username (this or `email`, or both): 3 to 64 letters, digits, `.`,
    /// `_` or `-`, kept in lowercase (surrounding spaces are dropped).
    #[schema(pattern = r"^(|\s*[A-Za-z0-9._-]{3,64}\s*)$", examples("jo.smith"))]
    username: Option<String>,
    /// The name shown for the user.
    #[schema(min_length = 1, examples("Jo Smith"))]
    displayname: String,
    /// A password (8 to 1,024 characters); none: the user signs in with SSO
    /// only.
    #[schema(pattern = r"^(|[\s\S]{8,1024})$", examples("correct-horse-battery"))]
    password: Option<String>,
    /// Comma-separated configured roles; only roles whose tokens the caller
    /// holds. None: the default role.
    roles: Option<String>,
}

/// `POST /api/user/info`.
#[derive(ToSchema, Deserialize)]
pub struct UserInfoForm {
    /// The user's uuid; a user session may leave it out (itself).
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    user: Option<String>,
}

/// `POST /api/user/linkssotoken`.
#[derive(ToSchema, Deserialize)]
pub struct LinkForm {
    /// The user's uuid.
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    user: Option<String>,
    /// A configured SSO service id.
    #[schema(min_length = 1, examples("federation"))]
    service: String,
    /// An ID token of that service.
    #[schema(min_length = 1)]
    response: String,
}

/// `POST /api/user/clearssotoken`.
#[derive(ToSchema, Deserialize)]
pub struct ClearForm {
    /// The user's uuid.
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    user: Option<String>,
    /// A configured SSO service id.
    #[schema(min_length = 1, examples("federation"))]
    service: String,
}

/// `POST /api/session/createwithsso`.
#[derive(ToSchema, Deserialize)]
pub struct SessionCreateForm {
    /// A configured SSO service id.
    #[schema(min_length = 1, examples("federation"))]
    service: String,
    /// An ID token of that service, linked to a user.
    #[schema(min_length = 1)]
    response: String,
}

/// `POST /api/session/info` and `/api/session/delete`.
#[derive(ToSchema, Deserialize)]
pub struct SessionForm {
    /// The session (its Bearer secret); applications only, a user session
    /// acts on itself.
    session: Option<String>,
}

/// `POST /entity/sessions/end`.
#[derive(ToSchema, Deserialize)]
pub struct EndSessionForm {
    /// The session's `id` from the list: 16 base64url characters.
    #[schema(pattern = "^[A-Za-z0-9_-]{16}$")]
    session_id: String,
}

/// `POST /api/user/sessions` and `/api/user/endallsessions`.
#[derive(ToSchema, Deserialize)]
pub struct UserSessionsForm {
    /// The user's uuid; a user session may leave it out (itself).
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    user: Option<String>,
}

/// `POST /api/logout/status`.
#[derive(ToSchema, Deserialize)]
pub struct LogoutStatusForm {
    /// The `signout` an ending answered with (32 hexadecimal digits).
    #[schema(pattern = "^[0-9A-Fa-f]{1,32}$")]
    signout: String,
}

/// `POST /api/user/endsession`.
#[derive(ToSchema, Deserialize)]
pub struct UserEndSessionForm {
    /// The user's uuid; a user session may leave it out (itself).
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    user: Option<String>,
    /// The session's `id` from `user/sessions`: 16 base64url characters.
    #[schema(pattern = "^[A-Za-z0-9_-]{16}$")]
    session_id: String,
}

/// The form the browser's FedCM posts to `/fedcm/assertion`.
#[derive(ToSchema, Deserialize)]
pub struct FedCmAssertion {
    /// The site's registered client id (FedCM's `clientId`).
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// The chosen account: an `id` the accounts endpoint listed.
    #[schema(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    )]
    account_id: String,
    /// FedCM's `params`, as JSON text. The library's: `{"query": "<the
    /// /sso/check query string>"}`, and optionally `"nonce"` (Chrome 143 and
    /// later send a site's nonce only there); the token is the check's
    /// result. Without `query` (or without `params`), a site calling FedCM
    /// itself: the token is an ID token for `client_id`, with the object's
    /// `nonce`. Empty is absent, as for every field.
    #[schema(
        content_media_type = "application/json",
        pattern = r"^(\s*\{[\s\S]*\}\s*)?$",
        max_length = 4096,
        examples(
            r#"{"query":"client_id=news&xd_receiver=http%3A%2F%2Fnews.localhost%3A8081%2Fxd_receiver.html&state=k3Xq9-Zt_2"}"#
        )
    )]
    params: Option<String>,
    /// FedCM's top-level nonce, from browsers before Chrome 143: the ID
    /// token's `nonce` when `params` has none and is not the library's
    /// (printable ASCII, checked in either case).
    #[schema(max_length = 255, pattern = "^[!-~]*$")]
    nonce: Option<String>,
    /// Whether the browser showed the sign-up notice.
    disclosure_text_shown: Option<String>,
    /// Whether the browser chose the account without the person (silent).
    is_auto_selected: Option<String>,
}

/// The form the browser's FedCM posts to `/fedcm/disconnect`.
#[derive(ToSchema, Deserialize)]
pub struct FedCmDisconnect {
    /// The site's registered client id (FedCM's `clientId`).
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// The site's `accountHint`: the id (uuid) or email of the account.
    #[schema(min_length = 1, examples("person@example.com"))]
    account_hint: String,
}

/// What `Sec-Fetch-Dest` says of a request FedCM sends.
#[derive(ToSchema, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchDest {
    /// Set by the browser's FedCM, which a page cannot do.
    Webidentity,
}

/// The headers of the browser's FedCM requests for a site.
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Header)]
pub struct FedCmHeaders {
    /// `webidentity`: only the browser's FedCM sets it (a page cannot).
    #[serde(rename = "Sec-Fetch-Dest")]
    #[param(inline)]
    sec_fetch_dest: FetchDest,
    /// The site's origin: one the client registered.
    #[serde(rename = "Origin")]
    #[param(min_length = 1, example = "http://news.localhost:8081")]
    origin: String,
}

/// The header of the browser's FedCM accounts request (no origin: the
/// browser sends it without one).
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Header)]
pub struct FedCmAccountsHeaders {
    /// `webidentity`: only the browser's FedCM sets it (a page cannot).
    #[serde(rename = "Sec-Fetch-Dest")]
    #[param(inline)]
    sec_fetch_dest: FetchDest,
}
