// The SSO global. Calls made before the WebAssembly module is ready are
// queued and replayed in order; every entry point returns a Promise.
// `JANRAIN.SSO` is the same object, for sites that used the withdrawn library.
if (window.SSO && window.SSO.__loaded) return;
var script = document.currentScript;
var wasmUrl = new URL("sso_bg.wasm?v=__WASM_VERSION__", (script && script.src) || location.href);
var api = null;
var queue = [];

function run(name, args) {
  try {
    return api[name].apply(null, args);
  } catch (e) {
    return Promise.reject(e);
  }
}

function entry(name) {
  return function () {
    var args = arguments;
    if (api) return run(name, args);
    return new Promise(function (resolve, reject) {
      queue.push([name, args, resolve, reject]);
    });
  };
}

// If the module cannot load, every call fails the same clear way.
function broken(message) {
  function fail(name, args) {
    var config = args[0];
    var error = new Error(message);
    error.stat = "error";
    error.error = "library_unavailable";
    error.error_description = message;
    if ((name === "check_session" || name === "check_login") && config && typeof config.capture_error === "function") {
      try {
        config.capture_error({ stat: "error", error: "library_unavailable", error_description: message });
      } catch (e) {}
    }
    return Promise.reject(error);
  }
  var api = {};
  ["check_session", "set_session", "end_session", "check_login", "logout"].forEach(function (name) {
    api[name] = function () { return fail(name, arguments); };
  });
  return api;
}

var SSO = {
  __loaded: true,
  check_session: entry("check_session"),
  set_session: entry("set_session"),
  end_session: entry("end_session"),
  CAPTURE: { check_login: entry("check_login"), logout: entry("logout") },
};
window.SSO = SSO;
(window.JANRAIN = window.JANRAIN || {}).SSO = SSO;

function ready(exports) {
  api = exports;
  var calls = queue;
  queue = null;
  calls.forEach(function (c) {
    run(c[0], c[1]).then(c[2], c[3]);
  });
}

wasm_bindgen({ module_or_path: wasmUrl }).then(
  function () { ready(wasm_bindgen); },
  function (e) {
    var message = "SSO: the library could not load " + wasmUrl.href + ": " + e;
    console.error(message);
    ready(broken(message));
  }
);
