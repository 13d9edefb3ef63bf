// @ts-check
// Generated from the sso-protocol crate by
// `UPDATE_PROTOCOL_JS=1 cargo test -p sso-client-wasm`; do not edit.
// The numbers, names and storage keys the page script shares with the wasm core.
const CHECK = 0;
const SET = 1;
const END = 2;
const ACCESS = 3;
const PASSKEY = 4;
const NO_CONFIG = 0;
const TIMEOUT = 1;
const NO_FRAME = 2;
const NO_RANDOM = 3;
const NO_RECORD = 4;
const NO_NAVIGATION = 5;
const NOT_A_FUNCTION = 6;
const NOT_AN_ELEMENT = 7;
const SUCCESS = 0;
const NO_SESSION = 1;
const BLOCKED = 2;
const FAILED = 3;
const CONFIRM = 4;
const REDIRECT_KEY = "sso.pending";
const RESULT_KEY = "sso.result";
const BLOCKED_KEY = "sso.blocked";
const CONFIRMING_KEY = "sso.confirming";
const SIGN_OUT = ".signout";
const ALREADY_CHECKED = "already_checked";
const NO_SESSION_STATUS = "no_session";
const OPS = ["check_session", "set_session", "end_session", "request_storage_access", "passkey_sign_in"];
