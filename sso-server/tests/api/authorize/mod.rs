//! `/oauth/authorize`, the OpenID Connect authorization endpoint, and its
//! hosted pages: what a standard client (a wiki behind mod_auth_openidc, an
//! app with oidc-client-ts) sees, driven over HTTP as a browser would.

mod errors;
mod hosted;
mod silent;

use std::collections::HashMap;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::backchannel::claims;
use crate::helpers::*;

/// A standard client's authorization request for `site`.
pub fn request(site: &Site) -> Vec<(String, String)> {
    [
        ("client_id", site.id.to_owned()),
        ("redirect_uri", site.redirect_uri()),
        ("response_type", "code".to_owned()),
        ("scope", "openid email profile".to_owned()),
        ("state", "st&te 1".to_owned()),
        ("nonce", "nonce-1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A browser's cookies for this server, by name.
#[derive(Default, Clone)]
pub struct Jar(HashMap<String, String>);

impl Jar {
    pub fn with_session(cookie: &str) -> Self {
        let mut jar = Self::default();
        jar.0.insert("sso_session".into(), cookie.into());
        jar
    }
    /// Takes what a response set (an emptied cookie is gone).
    pub fn keep(&mut self, response: &Response) {
        for v in response.headers().get_all("set-cookie") {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_owned()).unwrap();
            if c.value().is_empty() {
                self.0.remove(c.name());
            } else {
                self.0.insert(c.name().to_owned(), c.value().to_owned());
            }
        }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl TestApp {
    pub async fn authorize(&self, query: &[(String, String)], jar: &Jar) -> Response {
        self.http
            .get(self.url("/oauth/authorize"))
            .query(query)
            .header("cookie", jar.header())
            .send()
            .await
            .unwrap()
    }

    pub async fn hosted_post(&self, path: &str, form: &[(String, String)], jar: &Jar) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .header("cookie", jar.header())
            .send()
            .await
            .unwrap()
    }

    /// Redeems a code of `site` (its demo secret) for its tokens.
    pub async fn redeem_code(&self, site: &Site, code: &str, extra: &[(&str, &str)]) -> Value {
        let redirect = site.redirect_uri();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect.as_str()),
        ];
        form.extend_from_slice(extra);
        let secret = format!("{}-secret", site.id);
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth(site.id, Some(secret))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }
}

/// What a `303` of the endpoint carried back to `redirect` (query or
/// fragment), by name.
pub fn answer(response: &Response, redirect: &str) -> HashMap<String, String> {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    let rest = location
        .strip_prefix(redirect)
        .unwrap_or_else(|| panic!("{location} is not on {redirect}"));
    let pairs = rest
        .strip_prefix('?')
        .or_else(|| rest.strip_prefix('#'))
        .expect("a query or a fragment");
    url::form_urlencoded::parse(pairs.as_bytes())
        .into_owned()
        .collect()
}

/// A code answered to `site`, with its `state` and `iss` checked.
pub fn code_of(app: &TestApp, response: &Response, site: &Site) -> String {
    let a = answer(response, &site.redirect_uri());
    assert_eq!(a.get("error"), None, "{a:?}");
    assert_eq!(a["state"], "st&te 1");
    assert_eq!(a["iss"], app.settings.issuer());
    a["code"].clone()
}

/// A page of the server: HTML, not framable, no inline script.
pub async fn html_page(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert!(response.headers().get("location").is_none());
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>"), "no inline script: {html}");
    html
}

/// The hidden fields of a page's form, unescaped.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|rest| {
            let attr = |name: &str| {
                let at = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                unescape(rest[at..].split('"').next().unwrap())
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').unwrap() + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e => char::from_u32(e[1..].parse().unwrap()).unwrap(),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The ID token's claims of redeemed tokens.
pub fn id_claims(tokens: &Value) -> Value {
    claims(tokens["id_token"].as_str().unwrap())
}
