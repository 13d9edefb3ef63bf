//! The functions `sso.js` exposes as `SSO.*` and `JANRAIN.SSO.*`.

use alloc::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::js;
use super::library::{self, Site};

/// `SSO.check_session(config, supported_segments, segment)`.
#[wasm_bindgen]
pub fn check_session(config: JsValue, supported_segments: JsValue, segment: JsValue) -> Promise {
    library::check_session(config, supported_segments, segment)
}

/// `SSO.set_session(sso_code)`.
#[wasm_bindgen]
pub fn set_session(sso_code: JsValue) -> Promise {
    library::set_session(sso_code)
}

/// `SSO.end_session(callback)`.
#[wasm_bindgen]
pub fn end_session(callback: JsValue) -> Promise {
    library::end_session(callback)
}

/// `JANRAIN.SSO.CAPTURE.check_login(config)`: the withdrawn library's name;
/// the segments travel in the config as `supported_segments` and `segment`.
#[wasm_bindgen]
pub fn check_login(config: JsValue) -> Promise {
    let supported = js::get(&config, "supported_segments");
    let segment = js::get(&config, "segment");
    library::check_session(config, supported, segment)
}

/// `JANRAIN.SSO.CAPTURE.logout(urls, callback)`: `urls` may override the
/// `sso_server` and `logout_uri` of the latest `check_login` config.
#[wasm_bindgen]
pub fn logout(urls: JsValue, callback: JsValue) -> Promise {
    let site = library::current_site().map(|site| {
        let mut config = site.config.clone();
        if let Some(server) = js::get_str(&urls, "sso_server").filter(|u| crate::config::is_url(u))
        {
            config.sso_server = crate::config::server_base(&server);
        }
        if let Some(uri) = js::get_str(&urls, "logout_uri").filter(|u| crate::config::is_url(u)) {
            config.logout_uri = Some(uri);
        }
        Rc::new(Site {
            config,
            segments: site.segments.clone(),
            callbacks: site.callbacks.clone(),
        })
    });
    library::end_with(callback, site)
}
