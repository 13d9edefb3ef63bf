// @ts-check
// The SSO global. Calls made before the WebAssembly module is ready are
// queued and replayed in order; every entry point returns a Promise.
// `JANRAIN.SSO` is the same object, for sites that used the withdrawn library.

/**
 * Defines `SSO` (and `JANRAIN.SSO`) once per page and loads the module.
 * @param {WasmBindgen} wasm_bindgen the wasm-bindgen glue's init function
 * @param {(core: WasmBindgen) => Api} library the page side (library.js)
 */
function ssoBootstrap(wasm_bindgen, library) {
  // The globals are built here, before the shapes sso.d.ts gives them.
  const page = /** @type {any} */ (window);
  if (page.SSO && page.SSO.__loaded) return;
  const script = document.currentScript;
  const base = script instanceof HTMLScriptElement ? script.src : location.href;
  const wasmUrl = new URL("sso_bg.wasm?v=__WASM_VERSION__", base || location.href);
  let api = null;
  let queue = [];

  function run(name, args) {
    try {
      return api[name].apply(null, args);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function entry(name) {
    return function () {
      const args = arguments;
      if (api) return run(name, args);
      return new Promise(function (resolve, reject) {
        queue.push([name, args, resolve, reject]);
      });
    };
  }

  const NAMES = ["check_session", "set_session", "end_session", "check_login", "logout", "continue_as", "request_storage_access", "passkey_sign_in"];

  // If the module cannot load, every call fails the same clear way.
  function unavailable(message) {
    const error = { stat: "error", error: "library_unavailable", error_description: message };
    const calls = {};
    NAMES.forEach(function (name) {
      calls[name] = function (config) {
        if (/^c/.test(name) && config && typeof config.capture_error === "function") {
          try { config.capture_error(error); } catch (e) {}
        }
        return Promise.reject(Object.assign(new Error(message), error));
      };
    });
    return calls;
  }

  const SSO = {
    __loaded: true,
    check_session: entry("check_session"),
    set_session: entry("set_session"),
    end_session: entry("end_session"),
    continue_as: entry("continue_as"),
    request_storage_access: entry("request_storage_access"),
    passkey_sign_in: entry("passkey_sign_in"),
    CAPTURE: { check_login: entry("check_login"), logout: entry("logout") },
  };
  page.SSO = SSO;
  page.JANRAIN = Object.assign(page.JANRAIN || {}, { SSO: SSO });

  function ready(exports) {
    api = exports;
    const calls = queue;
    queue = null;
    calls.forEach(function (c) {
      run(c[0], c[1]).then(c[2], c[3]);
    });
  }

  // The module's bytes, compiled and instantiated at once: 21 KB compile in
  // about a millisecond, and the glue's streaming loader would cost the
  // bundle more bytes than the passkey call.
  fetch(wasmUrl).then(function (response) {
    if (!response.ok) throw "HTTP " + response.status;
    return response.arrayBuffer();
  }).then(
    function (bytes) { wasm_bindgen.initSync(bytes); ready(library(wasm_bindgen)); },
    function (e) {
      const message = "SSO: the library could not load " + wasmUrl.href + ": " + e;
      console.error(message);
      ready(unavailable(message));
    }
  );
}
