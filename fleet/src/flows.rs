//! The HTTP steps a page or a load generator takes against a server, with
//! failures named by kind (for the soak's error counts): `/sso/set` with its
//! confirmation, and reading what an SSO endpoint delivered.

use serde_json::Value;

/// A failed request, named as the soak counts it.
pub fn transport(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".to_owned()
    } else if e.is_connect() {
        "connection refused".to_owned()
    } else {
        "transport error".to_owned()
    }
}

/// The result an SSO endpoint delivers in its 303's fragment; an error
/// result is its `error` (`store_unavailable`, …), anything but a 303 is
/// named by status.
pub fn delivered(r: &reqwest::Response) -> Result<Value, String> {
    if r.status() != reqwest::StatusCode::SEE_OTHER {
        return Err(format!("HTTP {}", r.status()));
    }
    let location = r.headers()["location"].to_str().unwrap_or("");
    let fragment = location.split_once('#').map_or("", |(_, f)| f);
    let json = url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == "sso")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let result: Value = serde_json::from_str(&json).map_err(|_| "no result delivered")?;
    match result["error"].as_str() {
        Some(error) => Err(error.to_owned()),
        None => Ok(result),
    }
}

/// The value of cookie `name` that an answer sets.
pub fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// `/sso/set` as the library does it: `park_url` (with the `sso_code`),
/// then `confirm_url(token)` with the pending cookie. The session cookie's
/// value.
pub async fn set_session(
    http: &reqwest::Client,
    park_url: String,
    confirm_url: impl FnOnce(&str) -> String,
) -> Result<String, String> {
    let parked = http.get(park_url).send().await.map_err(transport)?;
    let confirm = delivered(&parked)?;
    let Some(token) = confirm["result"]["confirm"].as_str() else {
        return Err(format!("set: no confirmation in {}", confirm["result"]));
    };
    let pending = parked
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|v| v.starts_with("sso_session_pending"))
        .ok_or("set: no pending cookie")?
        .to_owned();
    let set = http
        .get(confirm_url(token))
        .header("cookie", pending)
        .send()
        .await
        .map_err(transport)?;
    delivered(&set)?;
    cookie(&set, "sso_session").ok_or_else(|| "set: no session cookie".to_owned())
}
