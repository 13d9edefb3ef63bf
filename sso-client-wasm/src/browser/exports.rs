//! What `js/library.js` calls. Only strings and numbers cross: JS values
//! arrive described as text ([`Raw::read`]), problems leave as
//! `"name\ndescription"`, calls are their [`Op`] index. A JS object in the
//! signature would bring wasm-bindgen's externref table and a dozen imports.

use alloc::string::String;
use core::cell::Cell;

use wasm_bindgen::prelude::*;

use crate::config::{self, Config, Fields, Raw};
use crate::error::Problem;
use crate::handoff;
use crate::outcome::classify as classify_result;
use crate::request::{self, Op, Overrides};
use crate::segments::Segments;
use crate::text::{self, cat};
use sso_protocol::{CALLS, PageProblem};

/// The latest valid `check_session` config: `set_session` and
/// `end_session` use it too.
struct Site {
    config: Config,
    segments: Segments,
}

/// wasm32 without atomics has one thread, so a plain static cell is sound.
/// A `Cell` (taken and put back) rather than a `RefCell`: the latter's
/// borrow panics bring `core::fmt`'s padding code into the wasm.
struct Current(Cell<Option<Site>>);

// SAFETY: see above; the browser build has a single thread.
#[allow(unsafe_code)]
unsafe impl Sync for Current {}

static SITE: Current = Current(Cell::new(None));

fn problem_text(problem: &Problem) -> String {
    cat(&[problem.name(), "\n", &problem.description()])
}

fn op(index: u8) -> Op {
    Op::from_index(index).unwrap_or(Op::Check)
}

/// Validates `check_session`'s arguments ([`Fields`]: the config's
/// parameters, `config` itself, `supported_segments` and `segment`) and makes
/// them the current site. Answers the problem, or `ok` and what the page
/// script needs to know, a line each: method, timeout, refresh (`1` or
/// empty), the sessionStorage key, the logout URI (or empty).
#[wasm_bindgen]
pub fn configure(input: &str) -> String {
    match parse_site(&Fields::new(input)) {
        Ok(site) => {
            let c = &site.config;
            let settings = cat(&[
                "ok\n",
                c.response_method.as_str(),
                "\n",
                &text::decimal(c.timeout_ms.into()),
                if c.refresh { "\n1\n" } else { "\n\n" },
                "sso.checked.",
                &c.client_id,
                "\n",
                c.logout_uri.as_deref().unwrap_or_default(),
            ]);
            SITE.0.set(Some(site));
            settings
        }
        Err(problem) => problem_text(&problem),
    }
}

fn parse_site(fields: &Fields) -> Result<Site, Problem> {
    if fields.get("config") != Raw::Object {
        return Err(Problem::invalid("config", "an object"));
    }
    let text = |name| match fields.get(name) {
        Raw::Absent => Ok(None),
        Raw::Str(s) => Ok(Some(s)),
        _ => Err(Problem::invalid(name, "a string")),
    };
    let supported = text("supported_segments")?;
    let segment = text("segment")?;
    Ok(Site {
        config: Config::parse(|name| fields.get(name))?,
        segments: Segments::parse(supported.as_deref(), segment.as_deref())?,
    })
}

/// `set_session`'s argument, described as [`Raw::read`] reads it: `""`
/// when it can be sent.
#[wasm_bindgen]
pub fn code_problem(sso_code: &str) -> String {
    let problem = match Raw::read(sso_code) {
        Raw::Absent => Problem::Missing("sso_code"),
        Raw::Str(c) if c.is_empty() => Problem::Missing("sso_code"),
        Raw::Str(c) if valid_code(&c) => return String::new(),
        _ => Problem::invalid("sso_code", "the sso_code string from the sign-in answer"),
    };
    problem_text(&problem)
}

fn valid_code(code: &str) -> bool {
    code.len() <= 128
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// The problems the page script meets by itself, by number (see
/// `library.js`); `op` names the call.
#[wasm_bindgen]
pub fn problem(kind: u8, op_index: u8) -> String {
    let name = CALLS
        .get(usize::from(op_index))
        .copied()
        .unwrap_or(CALLS[0]);
    let problem = match PageProblem::from_u8(kind) {
        Some(PageProblem::NoConfig) => Problem::NoConfig(name),
        Some(PageProblem::Timeout) => Problem::Timeout(name),
        Some(PageProblem::NoFrame) => Problem::Browser("create the hidden iframe"),
        Some(PageProblem::NoRandom) => {
            Problem::Browser("give random numbers (crypto.getRandomValues)")
        }
        Some(PageProblem::NoRecord) => {
            Problem::Browser("keep the redirect record in sessionStorage")
        }
        Some(PageProblem::NoNavigation) => Problem::Browser("navigate"),
        Some(PageProblem::NotAnElement) => Problem::invalid("element", "an Element"),
        Some(PageProblem::NotAFunction) | None => Problem::invalid("callback", "a function"),
    };
    problem_text(&problem)
}

/// The endpoint URL for a call on the current site. `args` holds, NUL
/// separated, the state, the sso_code and the overrides of `sso_server` and
/// `logout_uri` (`JANRAIN.SSO.CAPTURE.logout`), each empty when not given;
/// the script passes only values [`is_url`] accepted. A call number that
/// is no [`Op`] (`request_storage_access`, `passkey_sign_in`) gets the
/// check's URL, whose query those calls reuse.
#[wasm_bindgen]
pub fn url(op_index: u8, top_level: bool, args: &str) -> String {
    let site = SITE.0.take();
    let url = site
        .as_ref()
        .map(|site| site_url(site, op_index, top_level, args))
        .unwrap_or_default();
    SITE.0.set(site);
    url
}

fn site_url(site: &Site, op_index: u8, top_level: bool, args: &str) -> String {
    let mut args = args
        .split(text::is('\0'))
        .map(|a| (!a.is_empty()).then_some(a));
    let mut next = || args.next().flatten();
    let (state, sso_code, server, logout_uri) = (next(), next(), next(), next());
    let confirm = next();
    let server = server.map(config::server_base);
    let overrides = Overrides {
        sso_server: server.as_deref(),
        logout_uri,
        confirm,
    };
    request::url(
        op(op_index),
        &site.config,
        &site.segments,
        state.unwrap_or_default(),
        top_level,
        sso_code,
        overrides,
    )
}

#[wasm_bindgen]
pub fn is_url(s: &str) -> bool {
    config::is_url(s)
}

/// The record to keep in `sessionStorage` before a top-level redirect.
#[wasm_bindgen]
pub fn record(state: &str, op_index: u8, return_url: &str, now_ms: f64) -> String {
    handoff::redirect_record(state, op(op_index), return_url, now_ms)
}

/// The result stored for the redirect `record` describes, as the call's
/// index followed by the JSON; empty when it is not that redirect's.
#[wasm_bindgen]
pub fn take(record: &str, result: &str, now_ms: f64) -> String {
    match handoff::redirect_result(record, result, now_ms) {
        // The inverse of `Op::from_index`.
        // The op's number, one digit (0 to 2), then the result.
        Some((op, json)) => cat(&[["0", "1", "2"][usize::from(op as u8)], &json]),
        None => String::new(),
    }
}

/// What an answer means: 0 success, 1 no session, 2 cookies blocked,
/// 3 an error, 4 the server asks for the call's confirmation.
#[wasm_bindgen]
pub fn classify(stat: &str, status: &str) -> u8 {
    classify_result(Some(stat), Some(status)) as u8
}
