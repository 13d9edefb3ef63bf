//! The library's state and its three operations.
//!
//! A call validates its input, then asks the server in a hidden iframe
//! (in-page) or by a top-level redirect. The iframe's answer comes back by
//! `postMessage` from the receiver page; it is accepted only from this
//! page's origin, from the iframe the request created, with a pending
//! state. A redirect's answer is left in `sessionStorage` by the receiver
//! and picked up by the next `check_session` on the returned page.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlIFrameElement, MessageEvent};

use super::js::{self, call as invoke};
use super::{frames, storage};
use crate::config::{CALLBACKS, Config, Raw, ResponseMethod};
use crate::error::Problem;
use crate::outcome::{Outcome, classify};
use crate::pending::{self, Pending};
use crate::request::{self, Op};
use crate::segments::Segments;

/// Set once a check of this tab sees the browser withhold the SSO cookie
/// from iframes: later requests go top-level straight away.
const BLOCKED_KEY: &str = "sso.blocked";

/// The site callbacks, in [`CALLBACKS`] order.
#[derive(Default, Clone)]
pub struct Callbacks([Option<Function>; 4]);

impl Callbacks {
    /// Whatever functions the config object carries, even if it is invalid
    /// otherwise (`capture_error` must hear about the invalid config).
    pub fn from_js(config: &JsValue) -> Self {
        Self(CALLBACKS.map(|name| js::function(js::get(config, name))))
    }
    fn capture_success(&self) -> Option<&Function> {
        self.0[0].as_ref()
    }
    fn capture_error(&self) -> Option<&Function> {
        self.0[1].as_ref()
    }
    fn callback_success(&self) -> Option<&Function> {
        self.0[2].as_ref()
    }
    fn callback_failure(&self) -> Option<&Function> {
        self.0[3].as_ref()
    }
}

/// A site's settings from its latest `check_session`; `set_session` and
/// `end_session` use them too.
pub struct Site {
    pub config: Config,
    pub segments: Segments,
    pub callbacks: Callbacks,
}

impl Site {
    pub fn parse(
        config: &JsValue,
        supported: &JsValue,
        segment: &JsValue,
        callbacks: Callbacks,
    ) -> Result<Self, Problem> {
        if !config.is_object() {
            return Err(Problem::invalid("config", "an object"));
        }
        let text = |value: &JsValue, name| match js::raw(value) {
            Raw::Absent => Ok(None),
            Raw::Str(s) => Ok(Some(s)),
            _ => Err(Problem::invalid(name, "a string")),
        };
        let supported = text(supported, "supported_segments")?;
        let segment = text(segment, "segment")?;
        Ok(Self {
            config: Config::parse(|name| js::raw(&js::get(config, name)))?,
            segments: Segments::parse(supported.as_deref(), segment.as_deref())?,
            callbacks,
        })
    }

    fn checked_key(&self) -> String {
        ["sso.checked.", &self.config.client_id].concat()
    }
}

/// How a call's Promise ends.
struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    fn resolve(&self, value: &JsValue) {
        let _ = self.resolve.call1(&JsValue::NULL, value);
    }
    fn reject(&self, value: &JsValue) {
        let _ = self.reject.call1(&JsValue::NULL, &js::rejection(value));
    }
}

/// A call and everything needed to finish it.
struct Call {
    op: Op,
    site: Rc<Site>,
    settle: Settle,
    /// `set_session`'s code, kept for a retry as a top-level redirect.
    sso_code: Option<String>,
    /// `end_session`'s callback.
    end_callback: Option<Function>,
}

/// An in-page request awaiting its answer.
struct InPage {
    call: Call,
    frame: HtmlIFrameElement,
    timer: i32,
}

struct Library {
    site: Option<Rc<Site>>,
    pending: Pending<InPage>,
    listening: bool,
}

/// The library's state. wasm32 without atomics has one thread, so a plain
/// static cell is sound.
struct Global(RefCell<Library>);

// SAFETY: see above; the browser build has a single thread.
unsafe impl Sync for Global {}

impl Global {
    fn with<R>(&self, f: impl FnOnce(&mut Library) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

static LIBRARY: Global = Global(RefCell::new(Library {
    site: None,
    pending: Pending::new(),
    listening: false,
}));

/// A Promise and the functions that settle it.
fn promise() -> (Promise, Settle) {
    let mut slots = None;
    let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
    // The executor runs synchronously inside `Promise::new`.
    let (resolve, reject) = slots.unwrap_throw();
    (promise, Settle { resolve, reject })
}

/// A call that failed before reaching the server: console, `capture_error`,
/// Promise rejection.
fn fail(op: Op, callbacks: &Callbacks, settle: &Settle, problem: &Problem) {
    let description = ["SSO ", op.name(), ": ", &problem.description()].concat();
    js::console_error(&description);
    let obj = js::error_object(problem.name(), &description);
    invoke(callbacks.capture_error(), &obj);
    settle.reject(&obj);
}

pub fn check_session(config: JsValue, supported: JsValue, segment: JsValue) -> Promise {
    let (promise, settle) = promise();
    let callbacks = Callbacks::from_js(&config);
    let site = match Site::parse(&config, &supported, &segment, callbacks.clone()) {
        Ok(site) => Rc::new(site),
        Err(problem) => {
            fail(Op::Check, &callbacks, &settle, &problem);
            return promise;
        }
    };
    LIBRARY.with(|lib| lib.site = Some(site.clone()));

    // Back from a top-level redirect: this page load delivers its answer.
    if let Some((op, json)) = take_redirect_result() {
        let call = Call {
            op,
            site,
            settle,
            sso_code: None,
            end_callback: None,
        };
        deliver(call, &json, true);
        return promise;
    }
    if !site.config.refresh && storage::read(&site.checked_key()).is_some() {
        let obj = js::status_object("already_checked", "alreadyChecked", "ssoSignin");
        invoke(site.callbacks.callback_failure(), &obj);
        settle.resolve(&obj);
        return promise;
    }
    start(Call {
        op: Op::Check,
        site,
        settle,
        sso_code: None,
        end_callback: None,
    });
    promise
}

pub fn set_session(sso_code: JsValue) -> Promise {
    let (promise, settle) = promise();
    let Some(site) = current_site() else {
        fail(
            Op::Set,
            &Callbacks::default(),
            &settle,
            &Problem::NoConfig("set_session"),
        );
        return promise;
    };
    let code = match js::raw(&sso_code) {
        Raw::Absent => Err(Problem::Missing("sso_code")),
        Raw::Str(c) if c.is_empty() => Err(Problem::Missing("sso_code")),
        Raw::Str(c) if valid_code(&c) => Ok(c),
        _ => Err(Problem::invalid(
            "sso_code",
            "the sso_code string from the sign-in answer",
        )),
    };
    let code = match code {
        Ok(c) => c,
        Err(problem) => {
            fail(Op::Set, &site.callbacks, &settle, &problem);
            return promise;
        }
    };
    start(Call {
        op: Op::Set,
        site,
        settle,
        sso_code: Some(code),
        end_callback: None,
    });
    promise
}

fn valid_code(code: &str) -> bool {
    code.len() <= 128
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

pub fn end_session(callback: JsValue) -> Promise {
    end_with(callback, current_site())
}

/// `end_session` with an explicit site (the `JANRAIN.SSO.CAPTURE.logout`
/// alias may override the server and logout URI).
pub fn end_with(callback: JsValue, site: Option<Rc<Site>>) -> Promise {
    let (promise, settle) = promise();
    let Some(site) = site else {
        fail(
            Op::End,
            &Callbacks::default(),
            &settle,
            &Problem::NoConfig("end_session"),
        );
        return promise;
    };
    let end_callback = match js::raw(&callback) {
        Raw::Absent => None,
        Raw::Func => js::function(callback),
        _ => {
            fail(
                Op::End,
                &site.callbacks,
                &settle,
                &Problem::invalid("callback", "a function"),
            );
            return promise;
        }
    };
    start(Call {
        op: Op::End,
        site,
        settle,
        sso_code: None,
        end_callback,
    });
    promise
}

pub fn current_site() -> Option<Rc<Site>> {
    LIBRARY.with(|lib| lib.site.clone())
}

fn new_state() -> Result<String, Problem> {
    let mut random = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut random).ok())
        .ok_or(Problem::Browser(
            "give random numbers (crypto.getRandomValues)",
        ))?;
    Ok(pending::new_state(random))
}

/// Sends the call in-page or top-level, as its method says.
fn start(call: Call) {
    let top_level = match call.site.config.response_method {
        ResponseMethod::Redirect => true,
        ResponseMethod::Jsonp => false,
        ResponseMethod::Auto => storage::read(BLOCKED_KEY).is_some(),
    };
    if top_level {
        leave_for_server(&call);
    } else {
        in_page(call);
    }
}

fn in_page(call: Call) {
    let sent = new_state().and_then(|state| {
        let url = request::url(
            call.op,
            &call.site.config,
            &call.site.segments,
            &state,
            false,
            call.sso_code.as_deref(),
        );
        frames::hidden(&url).map(|frame| (state, frame))
    });
    let (state, frame) = match sent {
        Ok(sent) => sent,
        Err(problem) => return fail(call.op, &call.site.callbacks, &call.settle, &problem),
    };
    listen();
    let timer = {
        let state = state.clone();
        set_timeout(call.site.config.timeout_ms, move || timed_out(&state))
    };
    LIBRARY.with(|lib| lib.pending.insert(state, InPage { call, frame, timer }));
}

/// Runs `f` once after `ms`; the id is for [`clear_timeout`].
fn set_timeout(ms: u32, f: impl FnOnce() + 'static) -> i32 {
    let f = Closure::once_into_js(f);
    web_sys::window()
        .and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                f.unchecked_ref(),
                i32::try_from(ms).unwrap_or(i32::MAX),
            )
            .ok()
        })
        .unwrap_or(0)
}

fn clear_timeout(id: i32) {
    if let Some(w) = web_sys::window() {
        w.clear_timeout_with_handle(id);
    }
}

fn timed_out(state: &str) {
    let Some(request) = LIBRARY.with(|lib| lib.pending.take(state)) else {
        return;
    };
    frames::remove(&request.frame);
    let call = request.call;
    fail(
        call.op,
        &call.site.callbacks,
        &call.settle,
        &Problem::Timeout(call.op.name()),
    );
}

/// Installs the `message` listener once.
fn listen() {
    if LIBRARY.with(|lib| lib.listening) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    if window
        .add_event_listener_with_callback("message", handler.as_ref().unchecked_ref())
        .is_ok()
    {
        handler.forget();
        LIBRARY.with(|lib| lib.listening = true);
    }
}

/// A result from a receiver page. Accepted only from this page's own
/// origin, from the iframe the pending request created, with its state.
fn on_message(event: MessageEvent) {
    let data = event.data();
    let (Some(state), Some(json)) = (
        js::get_str(&data, "ssoState"),
        js::get_str(&data, "ssoResult"),
    ) else {
        return;
    };
    let own_origin = web_sys::window().and_then(|w| w.location().origin().ok());
    if own_origin.as_deref() != Some(event.origin().as_str()) {
        return;
    }
    let request = LIBRARY.with(|lib| {
        let expected = lib.pending.get(&state)?.frame.content_window();
        let from_frame = match (event.source(), expected) {
            (Some(source), Some(window)) => Object::is(&source, &window),
            _ => false,
        };
        if from_frame {
            lib.pending.take(&state)
        } else {
            None
        }
    });
    let Some(request) = request else { return };
    clear_timeout(request.timer);
    frames::remove(&request.frame);
    deliver(request.call, &json, false);
}

/// Acts on a result: callbacks, Promise, and the fallback to a top-level
/// redirect when the iframe could not see the SSO cookie.
fn deliver(call: Call, json: &str, via_redirect: bool) {
    let obj = js_sys::JSON::parse(json)
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or_else(|| {
            js::error_object("invalid_result", "the SSO server's answer is not JSON")
        });
    let inner = js::get(&obj, "result");
    let outcome = classify(
        js::get_str(&obj, "stat").as_deref(),
        js::get_str(&inner, "status").as_deref(),
    );
    let site = &call.site;
    let callbacks = &site.callbacks;
    let fallback = !via_redirect && site.config.response_method == ResponseMethod::Auto;
    match (call.op, outcome) {
        (_, Outcome::Blocked) if fallback => {
            storage::write(BLOCKED_KEY, "1");
            leave_for_server(&call);
        }
        (Op::Check, Outcome::Success) => {
            remember(site);
            call_and_resolve(callbacks.capture_success(), &call.settle, &obj);
        }
        (Op::Check, Outcome::NoSession | Outcome::Blocked) => {
            remember(site);
            call_and_resolve(callbacks.callback_failure(), &call.settle, &obj);
        }
        (Op::Set, Outcome::Success) => {
            remember(site);
            call_and_resolve(callbacks.callback_success(), &call.settle, &obj);
        }
        (Op::End, Outcome::Success) => {
            storage::remove(&site.checked_key());
            let uris = logout_uris(&inner);
            let timeout = site.config.timeout_ms;
            front_channel(&uris, timeout, move || finish_end(call, &obj));
        }
        (op, _) => {
            let description = js::get_str(&obj, "error_description")
                .or_else(|| js::get_str(&inner, "statusMessage"))
                .unwrap_or_default();
            js::console_error(&["SSO ", op.name(), ": ", &description].concat());
            if op == Op::Set {
                invoke(callbacks.callback_failure(), &obj);
            }
            invoke(callbacks.capture_error(), &obj);
            call.settle.reject(&obj);
        }
    }
}

fn call_and_resolve(callback: Option<&Function>, settle: &Settle, obj: &JsValue) {
    invoke(callback, obj);
    settle.resolve(obj);
}

fn remember(site: &Site) {
    storage::write(&site.checked_key(), "1");
}

fn logout_uris(result: &JsValue) -> Vec<String> {
    let list = js::get(result, "logoutUris");
    if !js_sys::Array::is_array(&list) {
        return Vec::new();
    }
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|v| v.as_string())
        .filter(|u| crate::config::is_url(u))
        .collect()
}

/// Front-channel logout frames still loading, and what runs when they are
/// done (or the time is up).
struct FrontChannel {
    frames: Vec<HtmlIFrameElement>,
    loading: usize,
    timer: i32,
    done: Box<dyn FnOnce()>,
}

type SharedFrontChannel = Rc<RefCell<Option<FrontChannel>>>;

/// Loads every logout URI in a hidden iframe, in parallel, and runs `done`
/// when all have loaded or `timeout_ms` has passed, whichever is first.
fn front_channel(uris: &[String], timeout_ms: u32, done: impl FnOnce() + 'static) {
    let frames: Vec<HtmlIFrameElement> =
        uris.iter().filter_map(|u| frames::hidden(u).ok()).collect();
    if frames.is_empty() {
        done();
        return;
    }
    let shared: SharedFrontChannel = Rc::new(RefCell::new(None));
    for frame in &frames {
        let shared = shared.clone();
        let onload = Closure::once_into_js(move || {
            let all_loaded = shared.borrow_mut().as_mut().is_some_and(|fc| {
                fc.loading -= 1;
                fc.loading == 0
            });
            if all_loaded {
                finish_front_channel(&shared);
            }
        });
        frame.set_onload(Some(onload.unchecked_ref()));
    }
    let timer = {
        let shared = shared.clone();
        set_timeout(timeout_ms, move || finish_front_channel(&shared))
    };
    *shared.borrow_mut() = Some(FrontChannel {
        loading: frames.len(),
        frames,
        timer,
        done: Box::new(done),
    });
}

/// Runs once: the first of "all loaded" and the timeout.
fn finish_front_channel(shared: &SharedFrontChannel) {
    let Some(fc) = shared.borrow_mut().take() else {
        return;
    };
    clear_timeout(fc.timer);
    fc.frames.iter().for_each(frames::remove);
    (fc.done)();
}

/// After the front-channel logouts: the site's callback, or else its
/// `logout_uri`.
fn finish_end(call: Call, obj: &JsValue) {
    if let Some(callback) = &call.end_callback {
        call_and_resolve(Some(callback), &call.settle, obj);
        return;
    }
    call.settle.resolve(obj);
    if let (Some(uri), Some(window)) = (&call.site.config.logout_uri, web_sys::window()) {
        let _ = window.location().assign(uri);
    }
}

/// Leaves the page for the SSO server; the receiver brings the answer back
/// to this URL and the next `check_session` here delivers it. The Promise
/// of this call never settles: the page is going away.
fn leave_for_server(call: &Call) {
    if let Err(problem) = redirect(call) {
        fail(call.op, &call.site.callbacks, &call.settle, &problem);
    }
}

fn redirect(call: &Call) -> Result<(), Problem> {
    let state = new_state()?;
    let location = web_sys::window()
        .ok_or(Problem::Browser("navigate"))?
        .location();
    let here = location
        .href()
        .map_err(|_| Problem::Browser("read the page URL"))?;
    let record = pending::redirect_record(&state, call.op, &here, js_sys::Date::now());
    storage::remove(pending::RESULT_KEY);
    if !storage::write(pending::REDIRECT_KEY, &record) {
        return Err(Problem::Browser(
            "keep the redirect record in sessionStorage",
        ));
    }
    let url = request::url(
        call.op,
        &call.site.config,
        &call.site.segments,
        &state,
        true,
        call.sso_code.as_deref(),
    );
    location
        .replace(&url)
        .map_err(|_| Problem::Browser("navigate"))
}

/// The answer the receiver stored for the redirect this tab started.
fn take_redirect_result() -> Option<(Op, String)> {
    let record = storage::read(pending::REDIRECT_KEY)?;
    let result = storage::read(pending::RESULT_KEY);
    let found = result.and_then(|r| pending::redirect_result(&record, &r, js_sys::Date::now()));
    storage::remove(pending::REDIRECT_KEY);
    storage::remove(pending::RESULT_KEY);
    found
}
