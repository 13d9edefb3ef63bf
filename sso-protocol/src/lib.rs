//! The wire contract, written once. The server writes these statuses, the
//! library's wasm core reads them; the numbers and storage keys are what the
//! core and the page script (`sso-client-wasm/js/`) exchange, and
//! `sso-client-wasm/js/protocol.js` is generated from this crate (a test
//! fails when the checked-in file differs; `docs/protocol.md` describes the
//! contract for users).
#![no_std]

/// `stat` of every result.
pub mod stat {
    pub const OK: &str = "ok";
    pub const ERROR: &str = "error";
}

/// `result.status` of an `ok` result.
pub mod status {
    /// Signed in (check, set) or signed out (end).
    pub const SUCCESS: &str = "success";
    /// check: no session in the requested segments.
    pub const NO_SESSION: &str = "no_session";
    /// The browser withheld the SSO cookie from an iframe: repeat top-level.
    pub const THIRD_PARTY_COOKIES_BLOCKED: &str = "third_party_cookies_blocked";
    /// set, end: repeat the request with `confirm=<result.confirm>`.
    pub const CONFIRM: &str = "confirm";
    /// Made by the library, not the server: this page already checked.
    pub const ALREADY_CHECKED: &str = "already_checked";
    /// What a site's callbacks and Promises may see in `result.status`
    /// (`confirm` never reaches them: the library completes it); the
    /// literal type of `status` in `sso.d.ts`.
    pub const DELIVERED: [&str; 4] = [
        SUCCESS,
        NO_SESSION,
        ALREADY_CHECKED,
        THIRD_PARTY_COOKIES_BLOCKED,
    ];
}

/// Request parameters the library adds itself.
pub mod param {
    /// The confirmation token of a sign-in or sign-out.
    pub const CONFIRM: &str = "confirm";
}

/// What an answer means to the library (the core's `classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    Success = 0,
    NoSession = 1,
    Blocked = 2,
    /// `stat: "error"`, or anything unrecognised.
    Error = 3,
    Confirm = 4,
}

impl Outcome {
    /// Classifies a result by its `stat` and `result.status`.
    pub fn of(stat: Option<&str>, status: Option<&str>) -> Self {
        match (stat, status) {
            (Some(stat::OK), Some(status::SUCCESS)) => Self::Success,
            (Some(stat::OK), Some(status::NO_SESSION)) => Self::NoSession,
            (Some(stat::OK), Some(status::THIRD_PARTY_COOKIES_BLOCKED)) => Self::Blocked,
            (Some(stat::OK), Some(status::CONFIRM)) => Self::Confirm,
            _ => Self::Error,
        }
    }
}

/// The library's calls, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    Check = 0,
    Set = 1,
    End = 2,
}

/// `request_storage_access`'s number in the page script's problems: a
/// check (its requests are [`Op::Check`]'s), named apart in messages.
pub const REQUEST_STORAGE_ACCESS: u8 = 3;

/// `passkey_sign_in`'s number in the page script's problems: its requests
/// are the registration API's, not an [`Op`]'s.
pub const PASSKEY_SIGN_IN: u8 = 4;

/// The library's calls by their numbers ([`Op`]'s, then
/// [`REQUEST_STORAGE_ACCESS`] and [`PASSKEY_SIGN_IN`]), as messages name them.
pub const CALLS: [&str; 5] = [
    "check_session",
    "set_session",
    "end_session",
    "request_storage_access",
    "passkey_sign_in",
];

/// Problems the page script meets by itself and reports by number (the
/// core's `problem` words them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PageProblem {
    NoConfig = 0,
    Timeout = 1,
    NoFrame = 2,
    NoRandom = 3,
    NoRecord = 4,
    NoNavigation = 5,
    NotAFunction = 6,
    NotAnElement = 7,
}

impl PageProblem {
    pub const ALL: [Self; 8] = [
        Self::NoConfig,
        Self::Timeout,
        Self::NoFrame,
        Self::NoRandom,
        Self::NoRecord,
        Self::NoNavigation,
        Self::NotAFunction,
        Self::NotAnElement,
    ];

    pub fn from_u8(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }
}

/// `sessionStorage` keys the library (and the receiver) use.
pub mod storage {
    /// The record of a top-level call in flight: state, op, return URL.
    pub const PENDING: &str = "sso.pending";
    /// A result the receiver stored for the page it returns to.
    pub const RESULT: &str = "sso.result";
    /// Set once this tab's browser withholds the SSO cookie from iframes.
    pub const BLOCKED: &str = "sso.blocked";
    /// Set while a redirected call is repeated with its confirmation.
    pub const CONFIRMING: &str = "sso.confirming";
    /// Beside a site's "checked" record: its sign-out token.
    pub const SIGN_OUT_SUFFIX: &str = ".signout";
}

/// The JavaScript constants the page script uses, as `(name, value)` with
/// the value already written as JavaScript: what `js/protocol.js` declares.
pub const JS_CONSTANTS: [(&str, JsValue); 26] = [
    ("CHECK", JsValue::Number(Op::Check as u8)),
    ("SET", JsValue::Number(Op::Set as u8)),
    ("END", JsValue::Number(Op::End as u8)),
    ("ACCESS", JsValue::Number(REQUEST_STORAGE_ACCESS)),
    ("PASSKEY", JsValue::Number(PASSKEY_SIGN_IN)),
    ("NO_CONFIG", JsValue::Number(PageProblem::NoConfig as u8)),
    ("TIMEOUT", JsValue::Number(PageProblem::Timeout as u8)),
    ("NO_FRAME", JsValue::Number(PageProblem::NoFrame as u8)),
    ("NO_RANDOM", JsValue::Number(PageProblem::NoRandom as u8)),
    ("NO_RECORD", JsValue::Number(PageProblem::NoRecord as u8)),
    (
        "NO_NAVIGATION",
        JsValue::Number(PageProblem::NoNavigation as u8),
    ),
    (
        "NOT_A_FUNCTION",
        JsValue::Number(PageProblem::NotAFunction as u8),
    ),
    (
        "NOT_AN_ELEMENT",
        JsValue::Number(PageProblem::NotAnElement as u8),
    ),
    ("SUCCESS", JsValue::Number(Outcome::Success as u8)),
    ("NO_SESSION", JsValue::Number(Outcome::NoSession as u8)),
    ("BLOCKED", JsValue::Number(Outcome::Blocked as u8)),
    ("FAILED", JsValue::Number(Outcome::Error as u8)),
    ("CONFIRM", JsValue::Number(Outcome::Confirm as u8)),
    ("REDIRECT_KEY", JsValue::Text(storage::PENDING)),
    ("RESULT_KEY", JsValue::Text(storage::RESULT)),
    ("BLOCKED_KEY", JsValue::Text(storage::BLOCKED)),
    ("CONFIRMING_KEY", JsValue::Text(storage::CONFIRMING)),
    ("SIGN_OUT", JsValue::Text(storage::SIGN_OUT_SUFFIX)),
    ("ALREADY_CHECKED", JsValue::Text(status::ALREADY_CHECKED)),
    ("NO_SESSION_STATUS", JsValue::Text(status::NO_SESSION)),
    ("OPS", JsValue::Names(&CALLS)),
];

/// A constant's value for `js/protocol.js`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsValue {
    Number(u8),
    Text(&'static str),
    Names(&'static [&'static str]),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_is_named_at_its_number() {
        assert_eq!(CALLS[Op::Check as usize], "check_session");
        assert_eq!(CALLS[Op::Set as usize], "set_session");
        assert_eq!(CALLS[Op::End as usize], "end_session");
        assert_eq!(
            CALLS[usize::from(REQUEST_STORAGE_ACCESS)],
            "request_storage_access"
        );
        assert_eq!(CALLS[usize::from(PASSKEY_SIGN_IN)], "passkey_sign_in");
    }
}
