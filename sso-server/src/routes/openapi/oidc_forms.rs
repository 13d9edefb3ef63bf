//! The parameters of OpenID Connect's RP-initiated logout (`/oauth/logout`),
//! as OpenAPI sees them: the same names as a query (`GET`) and as a form
//! (`POST`). As in `forms.rs`, constraints are only those the server
//! enforces exactly.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `GET /oauth/logout`.
#[derive(IntoParams, Deserialize)]
#[into_params(parameter_in = Query)]
pub struct RpLogoutQuery {
    /// An ID token this server issued to the client (expired or not): its
    /// sign-in ends without asking when it is the browser's current one.
    #[param(max_length = 4096)]
    id_token_hint: Option<String>,
    /// The client; required without `id_token_hint`, and the hint's
    /// audience with one.
    #[param(pattern = "^[A-Za-z0-9_.-]{1,64}$", example = "news")]
    client_id: Option<String>,
    /// One of the client's registered `post_logout_redirect_uris`, exactly.
    #[param(example = "http://news.localhost:8081/logout.html")]
    post_logout_redirect_uri: Option<String>,
    /// Returned unchanged on the redirect.
    #[param(max_length = 1024)]
    state: Option<String>,
    /// The person's preferred languages for the pages (English, Swedish).
    #[param(max_length = 1024)]
    ui_locales: Option<String>,
}

/// `POST /oauth/logout`: the query's parameters as a form, and `confirm`
/// from the server's confirmation page.
#[derive(ToSchema, Deserialize)]
pub struct RpLogoutForm {
    /// As for `GET`.
    #[schema(max_length = 4096)]
    id_token_hint: Option<String>,
    /// As for `GET`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: Option<String>,
    /// As for `GET`.
    #[schema(examples("http://news.localhost:8081/logout.html"))]
    post_logout_redirect_uri: Option<String>,
    /// As for `GET`.
    #[schema(max_length = 1024)]
    state: Option<String>,
    /// As for `GET`.
    #[schema(max_length = 1024)]
    ui_locales: Option<String>,
    /// The confirmation page's token (bound to this browser and client).
    confirm: Option<String>,
}
