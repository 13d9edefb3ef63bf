//! `spawn_app`: the real server on a free port, on either store, and a
//! client that speaks to it like a browser or a site would.

use std::collections::HashMap;

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sso_core::access_token::AccessTokens;
use sso_core::config::Settings;
use sso_core::store::DynStore;

pub use sso_test_support::{Backend, Redis};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    /// The admin listener (`/metrics`).
    pub admin: String,
    pub http: reqwest::Client,
    pub store: DynStore,
    pub settings: Settings,
    pub redis: Option<Redis>,
    /// What the server mailed (its own SMTP sink).
    pub inbox: mail_sink::Inbox,
    /// The serving task (abort it to stop the server as a crash would).
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// The server of `sso_test_support::spawn_server`, and a client that does
/// not follow redirects (the tests read each `303`).
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let spawned = sso_test_support::spawn_server(backend, tweak).await;
    app_of(spawned)
}

/// A server on a given store (another instance, or one started again).
pub fn spawn_app_on(
    store: DynStore,
    redis: Option<Redis>,
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    app_of(sso_test_support::spawn_server_on(store, redis, tweak))
}

fn app_of(spawned: sso_test_support::Spawned) -> TestApp {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: spawned.base,
        admin: spawned.admin,
        http,
        store: spawned.store,
        settings: spawned.settings,
        redis: spawned.redis,
        inbox: spawned.inbox,
        task: spawned.task,
    }
}

/// The demo client's URLs.
pub struct Site {
    pub id: &'static str,
    pub origin: &'static str,
    pub segment: &'static str,
}

pub const NEWS: Site = Site {
    id: "news",
    origin: "http://news.localhost:8081",
    segment: "news",
};
pub const SPORT: Site = Site {
    id: "sport",
    origin: "http://sport.localhost:8082",
    segment: "sport",
};
pub const SHOP: Site = Site {
    id: "shop",
    origin: "http://shop.localhost:8083",
    segment: "shop",
};

impl Site {
    pub fn receiver(&self) -> String {
        format!("{}/xd_receiver.html", self.origin)
    }
    pub fn redirect_uri(&self) -> String {
        format!("{}/", self.origin)
    }
    pub fn logout_uri(&self) -> String {
        format!("{}/logout.html", self.origin)
    }
    /// The registration API's common fields.
    pub fn form(&self) -> Vec<(String, String)> {
        [
            ("client_id", self.id.to_owned()),
            ("flow", "standard".to_owned()),
            ("flow_version", "1".to_owned()),
            ("locale", "en-US".to_owned()),
            ("redirect_uri", self.redirect_uri()),
            ("form", "registrationForm".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
    /// What the library sends to `/sso/check`.
    pub fn check_params(&self) -> Vec<(String, String)> {
        [
            ("client_id", self.id.to_owned()),
            ("segment", self.segment.to_owned()),
            ("supported_segments", "news-sport".to_owned()),
            ("response_type", "token".to_owned()),
            ("response_method", "jsonp".to_owned()),
            ("state", "state-0123456789".to_owned()),
            ("xd_receiver", self.receiver()),
            ("flow", "standard".to_owned()),
            ("flow_version", "1".to_owned()),
            ("locale", "en-US".to_owned()),
        ]
        .into_iter()
        .filter(|(k, _)| self.segment != "shop" || *k != "supported_segments")
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
    /// What the library sends to `/sso/set` and `/sso/end`.
    pub fn base_params(&self) -> Vec<(String, String)> {
        [
            ("client_id", self.id.to_owned()),
            ("segment", self.segment.to_owned()),
            ("state", "state-abcdefghij".to_owned()),
            ("xd_receiver", self.receiver()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// Replaces (or with `None` removes) one parameter.
pub fn with(
    mut params: Vec<(String, String)>,
    key: &str,
    value: Option<&str>,
) -> Vec<(String, String)> {
    params.retain(|(k, _)| k != key);
    if let Some(v) = value {
        params.push((key.to_owned(), v.to_owned()));
    }
    params
}

/// A signed-in user as the registration API answered.
pub struct SignedUp {
    pub uuid: String,
    pub sso_code: String,
    pub access_token: String,
    pub body: Value,
}

/// A 303 from an SSO endpoint, taken apart.
#[derive(Debug)]
pub struct Delivery {
    pub receiver: String,
    pub state: String,
    pub result: Value,
    pub headers: HeaderMap,
}

impl Delivery {
    pub fn status(&self) -> &str {
        self.result["result"]["status"].as_str().unwrap_or("")
    }
    pub fn error(&self) -> &str {
        self.result["error"].as_str().unwrap_or("")
    }
    /// The `accessToken` of a successful check.
    pub fn access_token(&self) -> String {
        let token = self.result["result"]["accessToken"].as_str();
        token.expect("an accessToken").to_owned()
    }
    /// The token of a `confirm` answer.
    pub fn confirm(&self) -> String {
        let token = self.result["result"]["confirm"].as_str();
        token.expect("a confirm token").to_owned()
    }
    /// The new session cookie value, if one was set.
    pub fn cookie(&self) -> Option<String> {
        set_cookie(&self.headers, "sso_session").map(|c| c.value().to_owned())
    }
}

/// Whether a `Vary` header of the answer names `header`.
pub fn varies_on(headers: &HeaderMap, header: &str) -> bool {
    headers
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains(header)))
}

pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<cookie::Cookie<'static>> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
        .find(|c| c.name() == name)
}

/// The pending cookie a parked sign-in set (`<name>_pending_<tag>`).
pub fn pending_cookie(headers: &HeaderMap, name: &str) -> Option<cookie::Cookie<'static>> {
    let prefix = format!("{name}_pending_");
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
        .find(|c| c.name().starts_with(&prefix))
}

/// Splits `Location: <receiver>#state=..&sso=<json>`.
pub fn delivery(response: &Response) -> Delivery {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "expected a 303");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (receiver, fragment) = location.split_once('#').expect("result in the fragment");
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    Delivery {
        receiver: receiver.to_owned(),
        state: pairs["state"].clone(),
        result: serde_json::from_str(&pairs["sso"]).expect("JSON result"),
        headers: response.headers().clone(),
    }
}

impl TestApp {
    /// Mints and opens tokens under this server's key.
    /// Opens the authorization codes the server seals.
    pub fn codes(&self) -> sso_core::authorization_codes::AuthorizationCodes {
        sso_core::authorization_codes::AuthorizationCodes::new(
            self.settings
                .access_token_key
                .as_ref()
                .expect("set by spawn_app"),
        )
    }

    pub fn access_tokens(&self) -> AccessTokens {
        AccessTokens::new(
            self.settings
                .access_token_key
                .as_ref()
                .expect("set by spawn_app"),
        )
    }

    /// The status `/entity` answers for a bearer token.
    pub async fn entity_status(&self, token: &str) -> StatusCode {
        let r = self.http.get(self.url("/entity")).bearer_auth(token);
        r.send().await.unwrap().status()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = self.http.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    pub async fn metrics(&self) -> Metrics {
        let r = self
            .http
            .get(format!("{}/metrics", self.admin))
            .send()
            .await
            .unwrap();
        Metrics(r.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, form: &[(String, String)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn register(&self, site: &Site, email: &str, extra: &[(&str, &str)]) -> Response {
        let mut form = site.form();
        form.push(("emailAddress".into(), email.into()));
        form.push(("password".into(), PASSWORD.into()));
        form.push(("displayName".into(), "Test User".into()));
        for (k, v) in extra {
            form = with(form, k, Some(v));
        }
        self.post_form("/oauth/register_native_traditional", &form)
            .await
    }

    pub async fn sign_in(&self, site: &Site, email: &str, password: &str) -> Response {
        let mut form = site.form();
        form.push(("signInEmailAddress".into(), email.into()));
        form.push(("currentPassword".into(), password.into()));
        self.post_form("/oauth/auth_native_traditional", &form)
            .await
    }

    pub async fn sign_up(&self, site: &Site, email: &str) -> SignedUp {
        self.sign_up_with(site, email, &[]).await
    }

    pub async fn sign_up_with(&self, site: &Site, email: &str, extra: &[(&str, &str)]) -> SignedUp {
        let response = self.register(site, email, extra).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        SignedUp {
            uuid: body["capture_user"]["uuid"].as_str().unwrap().to_owned(),
            sso_code: body["sso_code"].as_str().unwrap().to_owned(),
            access_token: body["access_token"].as_str().unwrap_or("").to_owned(),
            body,
        }
    }

    /// GET an SSO endpoint as the browser would, optionally with the cookie
    /// and extra headers.
    pub async fn sso(
        &self,
        path: &str,
        params: &[(String, String)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Response {
        let cookies = cookie.map(|c| format!("sso_session={c}"));
        self.sso_with_cookies(path, params, cookies.as_deref(), headers)
            .await
    }

    /// The same with a whole `Cookie` header.
    pub async fn sso_with_cookies(
        &self,
        path: &str,
        params: &[(String, String)],
        cookies: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.http.get(self.url(path)).query(params);
        if let Some(c) = cookies {
            req = req.header("cookie", c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// `/sso/set` as the library does it: the code, then the confirmation
    /// with the pending cookie. An answer other than `confirm` to the first
    /// step (an error, blocked cookies) is returned as it is.
    pub async fn set_session(&self, site: &Site, code: &str, cookie: Option<&str>) -> Delivery {
        let parked = self.park_sign_in(site, code, cookie).await;
        if parked.status() != "confirm" {
            return parked;
        }
        let name = &self.settings.cookie.name;
        let pending = pending_cookie(&parked.headers, name).expect("pending cookie");
        let mut cookies = format!("{}={}", pending.name(), pending.value());
        if let Some(c) = cookie {
            cookies.push_str(&format!("; {name}={c}"));
        }
        let params = with(site.base_params(), "confirm", Some(&parked.confirm()));
        delivery(
            &self
                .sso_with_cookies("/sso/set", &params, Some(&cookies), &[])
                .await,
        )
    }

    /// Only the first step of `/sso/set`: the sign-in is parked.
    pub async fn park_sign_in(&self, site: &Site, code: &str, cookie: Option<&str>) -> Delivery {
        let params = with(site.base_params(), "sso_code", Some(code));
        delivery(&self.sso("/sso/set", &params, cookie, &[]).await)
    }

    /// Register on `site` and set the SSO session: returns the user and cookie.
    pub async fn signed_in_browser(&self, site: &Site, email: &str) -> (SignedUp, String) {
        let user = self.sign_up(site, email).await;
        let set = self.set_session(site, &user.sso_code, None).await;
        assert_eq!(set.status(), "success", "{:?}", set.result);
        let cookie = set.cookie().expect("session cookie");
        (user, cookie)
    }

    pub async fn check(&self, site: &Site, cookie: Option<&str>) -> Delivery {
        delivery(
            &self
                .sso("/sso/check", &site.check_params(), cookie, &[])
                .await,
        )
    }

    /// `/sso/end` as the library does it without a sign-out token: the
    /// answer delivers one, and the request is repeated with it.
    pub async fn end(&self, site: &Site, cookie: Option<&str>) -> Delivery {
        let first = self.end_with(site, cookie, None).await;
        if first.status() != "confirm" {
            return first;
        }
        self.end_with(site, cookie, Some(&first.confirm())).await
    }

    /// One `/sso/end` request, with `confirm` when given.
    pub async fn end_with(
        &self,
        site: &Site,
        cookie: Option<&str>,
        confirm: Option<&str>,
    ) -> Delivery {
        let params = with(site.base_params(), "supported_segments", Some("news-sport"));
        let params = if site.segment == "shop" {
            with(params, "supported_segments", None)
        } else {
            params
        };
        let params = with(params, "confirm", confirm);
        delivery(&self.sso("/sso/end", &params, cookie, &[]).await)
    }
}

/// The Prometheus text of `/metrics`.
pub struct Metrics(pub String);

impl Metrics {
    /// The value of one series, e.g. `sso_codes_issued_total{kind="sso_code"}`.
    pub fn value(&self, series: &str) -> f64 {
        self.0
            .lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {series} in\n{}", self.0))
            .trim()
            .parse()
            .unwrap()
    }
}

/// Asserts a catalog error body.
pub async fn assert_error(response: Response, status: StatusCode, error: &str) -> Value {
    let answered = response.status();
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(answered, status, "for {error}: {body}");
    assert_eq!(body["stat"], "error");
    assert_eq!(body["error"], error, "{body}");
    assert!(body["code"].as_u64().is_some(), "{body}");
    assert!(!body["error_description"].as_str().unwrap().is_empty());
    assert!(!body["request_id"].as_str().unwrap().is_empty());
    body
}

/// An application allowed to end and watch sessions of anyone.
pub fn add_helpdesk(s: &mut Settings) {
    let hash = s.applications["portal"].secret_hash.clone();
    s.roles.insert(
        "sessions-admin".into(),
        [
            sso_core::domain::RoleToken::UserSessionView,
            sso_core::domain::RoleToken::UserSessionEnd,
            sso_core::domain::RoleToken::SsoUsers,
        ]
        .into(),
    );
    s.applications.insert(
        "helpdesk".into(),
        sso_core::config::ApiApplication {
            id: "helpdesk".into(),
            secret_hash: hash,
            roles: vec!["sessions-admin".into()],
        },
    );
}
