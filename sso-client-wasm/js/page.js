// @ts-check
// What every call of the library uses, whatever the page's state:
// sessionStorage and localStorage that may refuse, site callbacks that may
// throw, failures as the site sees them (console, capture_error, a
// rejected Promise), tokens' shape and hidden frames. library.js builds the calls on these; bundle.sh joins
// both into one closure.

// The type letters of `describe`.
const TYPES = { string: "s", number: "n", boolean: "b", function: "f", object: "o" };

// A browser that refuses storage reads as empty and fails writes.
function storage(use) {
  try { return use(sessionStorage); } catch (e) { return null; }
}
function read(key) { return storage(function (s) { return s.getItem(key); }); }
function write(key, value) { return storage(function (s) { s.setItem(key, value); return true; }); }
function remove(key) { storage(function (s) { s.removeItem(key); }); }
// A site's "checked" record and its sign-out token: gone with a sign-out.
function forget(key) { remove(key); remove(key + SIGN_OUT); }

function invoke(callback, arg) {
  if (callback) {
    try { callback(arg); } catch (e) { console.error("SSO: a site callback threw:", e); }
  }
}

// Rejections are Errors that also carry the answer's fields.
function rejection(obj) {
  let error = new Error(obj.error_description || obj.error || "SSO request failed");
  ["stat", "code", "error", "error_description", "request_id"].forEach(function (key) {
    if (obj[key] !== undefined) error[key] = obj[key];
  });
  return error;
}

// A call that failed before reaching the server: console, capture_error,
// rejection. `problem` is core's "name\ndescription".
function fail(call, problem) {
  let cut = problem.indexOf("\n");
  let description = "SSO " + OPS[call.op] + ": " + problem.slice(cut + 1);
  console.error(description);
  let obj = { stat: "error", error: problem.slice(0, cut), error_description: description };
  invoke(call.callbacks.capture_error, obj);
  call.reject(rejection(obj));
}

// A JS value as the core reads it (config.rs, Raw::read): "" when null or
// undefined, else a type letter and, for strings, numbers and booleans,
// the text. A string holding NUL, the separator, is "x" (not usable).
function describe(value) {
  if (value == null) return "";
  let tag = TYPES[typeof value] || "x";
  if (!/[snb]/.test(tag)) return tag;
  value = String(value);
  return value.indexOf("\0") < 0 ? tag + value : "x";
}

function settle(call, callback, obj) {
  invoke(callback, obj);
  call.resolve(obj);
}

// localStorage: read (no value), removed (null) or written; null where
// it is refused.
function local(key, value) {
  try {
    return value === undefined ? localStorage.getItem(key) : value === null ? localStorage.removeItem(key) : localStorage.setItem(key, value);
  } catch (e) { return null; }
}

// A confirmation or sign-out token as the server makes them.
function isToken(value) {
  return typeof value === "string" && /^[\w-]{16,64}$/.test(value);
}

// A hidden frame, or in `element` a visible one (request_storage_access).
function hiddenFrame(src, element) {
  let frame = document.createElement("iframe");
  frame.title = "sso";
  frame.src = src;
  if (!element) {
    frame.style.display = "none";
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
  }
  (element || document.body || document.documentElement).appendChild(frame);
  return frame;
}
