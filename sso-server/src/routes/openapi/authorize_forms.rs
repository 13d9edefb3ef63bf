//! The parameters of the authorization endpoint and its hosted forms, as
//! OpenAPI sees them. As in `forms.rs`, constraints are only those the
//! server enforces exactly.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `GET /oauth/authorize` (the same names as a form for `POST`).
#[derive(IntoParams, ToSchema, Deserialize)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// The registered client.
    #[param(pattern = "^[A-Za-z0-9_.-]{1,64}$", example = "news")]
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    /// One of the client's `redirect_uris`, byte for byte.
    #[param(example = "http://news.localhost:8081/")]
    #[schema(examples("http://news.localhost:8081/"))]
    redirect_uri: String,
    /// `code`; anything else is `unsupported_response_type`.
    #[param(example = "code")]
    #[schema(examples("code"))]
    response_type: Option<String>,
    /// Space-separated; must contain `openid` (also `email`, `profile`,
    /// `offline_access`; others are ignored).
    #[param(example = "openid email")]
    #[schema(examples("openid email"))]
    scope: Option<String>,
    /// Returned unchanged with the answer.
    #[param(max_length = 1024)]
    #[schema(max_length = 1024)]
    state: Option<String>,
    /// `query` (default), `fragment` or `form_post`.
    response_mode: Option<String>,
    /// Returned in the ID token.
    nonce: Option<String>,
    /// PKCE (RFC 7636); required of public clients.
    code_challenge: Option<String>,
    /// `S256`.
    code_challenge_method: Option<String>,
    /// `none`, `login`, `create`, `consent`, `select_account`
    /// (space-separated; `none` alone).
    prompt: Option<String>,
    /// Seconds since the person last proved who they are, at most.
    max_age: Option<String>,
    /// An email to fill in on the sign-in page (at most 254 bytes; a longer
    /// one is `invalid_request` at the client, as every error once the
    /// client and redirect URI are known).
    login_hint: Option<String>,
    /// An ID token this server issued: whom the client expects.
    id_token_hint: Option<String>,
    /// Preferred languages of the pages, e.g. `sv en` (at most 256 bytes;
    /// a longer one is `invalid_request` at the client).
    ui_locales: Option<String>,
    /// Not supported: answered `request_not_supported`.
    request: Option<String>,
    /// Not supported: answered `request_uri_not_supported`.
    request_uri: Option<String>,
}

/// `POST /oauth/authorize`.
pub type AuthorizeForm = AuthorizeQuery;

/// `POST /oauth/authorize/sign-in`: the carried request, the form's
/// token and the person's credentials.
#[derive(ToSchema, Deserialize)]
pub struct HostedSignInForm {
    #[schema(examples("news"))]
    client_id: String,
    #[schema(examples("http://news.localhost:8081/"))]
    redirect_uri: String,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    response_mode: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    ui_locales: Option<String>,
    /// The page's token, bound to its cookie and the request.
    form_token: Option<String>,
    #[schema(examples("ada@example.com"))]
    email: Option<String>,
    password: Option<String>,
    /// `true` for a persistent sign-in.
    keep_me_logged_in: Option<String>,
}

/// `POST /oauth/authorize/create`: as the sign-in form, with a name.
#[derive(ToSchema, Deserialize)]
pub struct HostedCreateForm {
    #[schema(examples("news"))]
    client_id: String,
    #[schema(examples("http://news.localhost:8081/"))]
    redirect_uri: String,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    response_mode: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    ui_locales: Option<String>,
    form_token: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    keep_me_logged_in: Option<String>,
}
