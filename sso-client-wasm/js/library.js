// @ts-check
// The library's page side: hidden iframes, the `message` listener, timers,
// sessionStorage, Promises and the site's callbacks. Every decision is the
// Rust core's (`core`, the wasm exports in src/browser/exports.rs): config
// validation, request URLs, redirect records, what an answer means, and
// every error message.
//
// A call goes in-page (hidden iframe; the receiver page posts the answer
// back) or top-level (redirect; the receiver stores the answer and returns,
// and the next check_session on this page delivers it). An in-page answer
// is accepted only from this page's origin, from the iframe the request
// created, with a pending state. Where the iframe cannot see the SSO
// cookie, a check first asks the browser's FedCM, silently, on a site where
// this browser chose the account through FedCM before (`continue_as`); the
// answer is the check's own result, as the server's ID assertion.
function library(core) {
  // The calls' numbers (CHECK, SET, END; their names, OPS, are in page.js
  // with the helpers every call uses), the problems the page meets by
  // itself (NO_CONFIG ...), core.classify's answers (SUCCESS, BLOCKED,
  // FAILED, CONFIRM) and the sessionStorage keys (REDIRECT_KEY, RESULT_KEY:
  // shared with the receiver; BLOCKED_KEY: set once this tab's browser
  // withholds the SSO cookie from iframes; CONFIRMING_KEY: set while a
  // redirected call is repeated with its confirmation; SIGN_OUT: beside a
  // site's "checked" record, its sign-out token) come from js/protocol.js,
  // generated from the sso-protocol crate.

  // check_session's parameters and the config's callbacks, sent to
  // core.configure with the arguments below.
  const PARAMETERS = ["client_id", "flow_name", "flow_version", "locale", "redirect_uri", "sso_server", "xd_receiver",
    "bp_channel", "logout_uri", "response_method", "response_type", "code_challenge", "code_challenge_method", "nonce",
    "refresh", "timeout", "capture_success", "capture_error", "callback_success", "callback_failure"];

  let site = null; // {settings, callbacks} of the latest valid check_session
  // FedCM's silent sign-in: a site's record in localStorage (its "checked"
  // key + FEDCM), "0" once the person chose an account there, or until when
  // (ms) not to try: Chromium allows one silent sign-in per site in ten
  // minutes, and delays its refusals by seconds, so a silent request is
  // waited for at most FEDCM_WAIT.
  const FEDCM = ".fedcm", QUIET_MS = 6e5, FEDCM_WAIT = 1500;
  let pending = new Map(); // state -> in-page call
  let listening = false;

  // A Promise for a call on the current site; `run` gets the call.
  function begin(op, run) {
    return new Promise(function (resolve, reject) {
      let call = { op: op, resolve: resolve, reject: reject, callbacks: site ? site.callbacks : {}, settings: site && site.settings };
      run(call);
    });
  }

  // `active`: continue_as, from a click: FedCM's "Continue as" dialog
  // instead of the redirect.
  function check_session(config, supported, segment, active) {
    return begin(CHECK, function (call) {
      // One read of each parameter: the core validates it, and a function
      // is kept to be called back (the core refuses one anywhere else).
      let callbacks = {}, object = Object(config);
      let fields = ["config", describe(config), "supported_segments", describe(supported), "segment", describe(segment)];
      PARAMETERS.forEach(function (name) {
        let value = object[name];
        if (typeof value === "function") callbacks[name] = value;
        fields.push(name, describe(value));
      });
      call.callbacks = callbacks;
      let answer = core.configure(fields.join("\0")), lines = answer.split("\n");
      if (lines[0] !== "ok") return fail(call, answer);
      let settings = { method: lines[1], timeout: +lines[2], refresh: lines[3], key: lines[4], logout: lines[5] };
      site = { settings: settings, callbacks: callbacks };
      call.settings = settings;
      listen(settings.key);

      let back = takeRedirectResult();
      if (back) {
        call.op = +back[0];
        return deliver(call, back.slice(1), "redirect");
      }
      if (active) return fedcm(call, "optional") || leave(call);
      if (!settings.refresh && read(settings.key)) {
        return settle(call, callbacks.callback_failure, {
          stat: "ok",
          result: { status: ALREADY_CHECKED, statusMessage: "alreadyChecked", action: "ssoSignin" },
        });
      }
      start(call);
    });
  }

  // The site's tabs tell each other of a sign-out on a BroadcastChannel
  // named after its "checked" record. A message from another tab: forget
  // this tab's check and tell the site (callback_failure, no_session).
  /** @type {BroadcastChannel | null} */
  let tabs = null;
  function listen(key) {
    if ((tabs && tabs.name === key) || typeof BroadcastChannel !== "function") return;
    if (tabs) tabs.close();
    tabs = new BroadcastChannel(key);
    tabs.onmessage = function () {
      forget(key);
      invoke(site && site.callbacks.callback_failure, { stat: "ok", result: { status: NO_SESSION_STATUS, statusMessage: "signedOut" } });
    };
  }

  function set_session(code) {
    return begin(SET, function (call) {
      if (!site) return fail(call, core.problem(NO_CONFIG, SET));
      let problem = core.code_problem(describe(code));
      if (problem) return fail(call, problem);
      call.code = code;
      start(call);
    });
  }

  // `urls` (JANRAIN.SSO.CAPTURE.logout) may override sso_server and logout_uri.
  function end(callback, urls) {
    return begin(END, function (call) {
      if (!site) return fail(call, core.problem(NO_CONFIG, END));
      if (callback != null && typeof callback !== "function") return fail(call, core.problem(NOT_A_FUNCTION, END));
      call.callback = callback;
      ["sso_server", "logout_uri"].forEach(function (key) {
        let url = urls && urls[key];
        if (typeof url === "string" && core.is_url(url)) call[key] = url;
      });
      // The sign-out token a check or sign-in delivered to this site; the
      // server ends nothing without it (it answers with one instead).
      let token = read(call.settings.key + SIGN_OUT);
      if (isToken(token)) call.confirm = token;
      start(call);
    });
  }

  function start(call) {
    let method = call.settings.method;
    if (method === "redirect") leave(call);
    else if (method === "auto" && read(BLOCKED_KEY)) blocked(call);
    else inPage(call);
  }

  // Without the cookie in frames: FedCM for a check that may use it, else
  // the redirect ("auto"), or the iframe's answer `json` ("jsonp": the site
  // may then offer continue_as).
  function blocked(call, json) {
    if (!(call.op === CHECK && fedcm(call, "silent", json))) fallBack(call, json);
  }
  function fallBack(call, json) {
    if (call.settings.method === "auto" || !json) leave(call);
    else deliver(call, json, "iframe");
  }

  // A check through the browser's FedCM; false when it may not be tried.
  // Its refusal, or no answer within FEDCM_WAIT of a silent one, falls back.
  function fedcm(call, mediation, json) {
    let silent = mediation === "silent", key = call.settings.key + FEDCM, seen = local(key);
    if (!("IdentityCredential" in window) || (silent && (seen == null || +seen > Date.now()))) return false;
    let state = newState(call);
    if (!state) return true;
    let target = beside(call, state, "fedcm/config.json"), id = target.searchParams.get("client_id"), abort = new AbortController(), timer = silent && setTimeout(function () { abort.abort(); }, FEDCM_WAIT);
    navigator.credentials.get(/** @type {any} */ ({
      // domainHint: the browser offers only the people this site may use.
      identity: { providers: [{ configURL: target.origin + target.pathname, clientId: id, domainHint: id, params: { query: target.search.slice(1) } }], mode: silent ? "passive" : "active" },
      mediation: mediation,
      signal: abort.signal,
    })).then(function (credential) {
      clearTimeout(timer);
      // After a silent sign-in the browser refuses the next for ten minutes.
      local(key, silent ? Date.now() + QUIET_MS : 0);
      deliver(call, /** @type {any} */ (credential).token, "fedcm");
    }, function () {
      clearTimeout(timer);
      if (silent) local(key, Date.now() + QUIET_MS);
      fallBack(call, json);
    });
    return true;
  }

  function url(call, state, topLevel) {
    return core.url(call.op, topLevel, [state, call.code, call.sso_server, call.logout_uri, call.confirm].join("\0"));
  }

  // The in-page check's URL with `path` for its last two segments
  // (sso/check): the same server and query.
  function beside(call, state, path) {
    let target = new URL(url(call, state, false));
    target.pathname = target.pathname.replace(/sso\/check$/, path);
    return target;
  }

  // 128 random bits as 32 hex digits; without a random source the call
  // fails and the answer is null.
  function newState(call) {
    try {
      let bytes = crypto.getRandomValues(new Uint8Array(16));
      return Array.from(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    } catch (e) {
      fail(call, core.problem(NO_RANDOM, call.op));
      return null;
    }
  }

  // A check in `call.element` shows the SSO server's Storage Access button
  // (the same query at /sso/storage-access), which goes on to the check
  // after the person's click: no timeout.
  function inPage(call) {
    let state = newState(call), element = call.element;
    if (!state) return;
    try { call.frame = hiddenFrame(element ? beside(call, state, "sso/storage-access").href : url(call, state, false), element); } catch (e) { return fail(call, core.problem(NO_FRAME, call.op)); }
    if (!listening) {
      addEventListener("message", onMessage);
      listening = true;
    }
    if (!element) call.timer = setTimeout(function () {
      if (pending.get(state) !== call) return;
      pending.delete(state);
      call.frame.remove();
      fail(call, core.problem(TIMEOUT, call.op));
    }, call.settings.timeout);
    pending.set(state, call);
  }

  function onMessage(event) {
    let data = event.data;
    let state = data && data.ssoState, json = data && data.ssoResult;
    if (typeof state !== "string" || typeof json !== "string" || event.origin !== location.origin) return;
    let call = pending.get(state);
    if (!call || !call.frame.contentWindow || event.source !== call.frame.contentWindow) return;
    pending.delete(state);
    clearTimeout(call.timer);
    // The answer first: removing the frame unloads its document, which
    // would delay the site's callback by milliseconds. (A confirmation
    // repeats the call in a frame of its own.)
    let frame = call.frame;
    deliver(call, json, "iframe");
    frame.remove();
  }

  // Callbacks and Promise for an answer, or the fallback to a top-level
  // redirect when the iframe could not see the SSO cookie. `channel`
  // ("iframe", "fedcm" or "redirect") is told to the site in the result.
  function deliver(call, json, channel) {
    let obj, viaRedirect = channel === "redirect";
    try { obj = JSON.parse(json); } catch (e) {}
    if (!obj || typeof obj !== "object") {
      obj = { stat: "error", error: "invalid_result", error_description: "the SSO server's answer is not JSON" };
    }
    let result = obj.result || {};
    if (obj.result) result.channel = channel;
    let outcome = core.classify(String(obj.stat), String(result.status));
    let confirmedBefore = call.confirmed || (viaRedirect && read(CONFIRMING_KEY));
    if (viaRedirect) remove(CONFIRMING_KEY);
    let callbacks = call.callbacks, key = call.settings.key;
    if (outcome === BLOCKED && !viaRedirect && !call.tried) {
      call.tried = 1;
      if (call.settings.method === "auto") write(BLOCKED_KEY, "1");
      return blocked(call, json);
    }
    // The server changes a session only for the library that started the
    // call: it answers with a token for the receiver, and the same call is
    // repeated with it, once, the way it went.
    if (outcome === CONFIRM && call.op !== CHECK && !confirmedBefore && isToken(result.confirm)) {
      call.confirm = result.confirm;
      call.confirmed = true;
      if (!viaRedirect) return inPage(call);
      write(CONFIRMING_KEY, "1");
      return leave(call);
    }
    if (isToken(result.signOutToken)) write(key + SIGN_OUT, result.signOutToken);
    if (call.op === CHECK && outcome !== FAILED && outcome !== CONFIRM) {
      write(key, "1");
      return settle(call, outcome === SUCCESS ? callbacks.capture_success : callbacks.callback_failure, obj);
    }
    if (call.op === SET && outcome === SUCCESS) {
      write(key, "1");
      return settle(call, callbacks.callback_success, obj);
    }
    if (call.op === END && outcome === SUCCESS) {
      forget(key);
      // Signed out here: FedCM would be refused; "Continue as" earns it again.
      local(key + FEDCM, null);
      // This site's other open tabs learn it now, not at their next check.
      if (tabs) tabs.postMessage(1);
      let uris = Array.isArray(result.logoutUris) ? result.logoutUris : [];
      return frontChannel(uris, call.settings.timeout, function () { finishEnd(call, obj); });
    }
    console.error("SSO " + OPS[call.op] + ": " + (obj.error_description || result.statusMessage || ""));
    if (call.op === SET) invoke(callbacks.callback_failure, obj);
    invoke(callbacks.capture_error, obj);
    call.reject(rejection(obj));
  }

  // Loads every logout URI in a hidden iframe, in parallel; `done` runs
  // once, when all have loaded or `timeout` ms have passed.
  function frontChannel(uris, timeout, done) {
    let frames = [], loading = 0, timer;
    function finish() {
      if (!frames) return;
      clearTimeout(timer);
      frames.forEach(function (frame) { frame.remove(); });
      frames = null;
      done();
    }
    uris.forEach(function (uri) {
      if (typeof uri !== "string" || !core.is_url(uri)) return;
      try {
        let frame = hiddenFrame(uri);
        frame.onload = function () { if (--loading === 0) finish(); };
        frames.push(frame);
        loading++;
      } catch (e) {}
    });
    if (!loading) return finish();
    timer = setTimeout(finish, timeout);
  }

  // After the front-channel logouts: the site's callback, or else its
  // logout_uri.
  function finishEnd(call, obj) {
    if (call.callback) return settle(call, call.callback, obj);
    call.resolve(obj);
    let uri = call.logout_uri || call.settings.logout;
    if (uri) location.assign(uri);
  }

  // Leaves the page for the SSO server. The Promise of this call never
  // settles: the page is going away.
  function leave(call) {
    let state = newState(call);
    if (!state) return;
    remove(RESULT_KEY);
    if (!write(REDIRECT_KEY, core.record(state, call.op, location.href, Date.now()))) {
      return fail(call, core.problem(NO_RECORD, call.op));
    }
    try { location.replace(url(call, state, true)); } catch (e) { fail(call, core.problem(NO_NAVIGATION, call.op)); }
  }

  // The answer the receiver stored for the redirect this tab started, as
  // the call's index followed by the JSON.
  function takeRedirectResult() {
    let record = read(REDIRECT_KEY);
    if (!record) return null;
    let result = read(RESULT_KEY);
    remove(REDIRECT_KEY);
    remove(RESULT_KEY);
    return result && core.take(record, result, Date.now());
  }

  // A sign-in with the family's passkey on the site's own form (WebAuthn
  // Related Origin Requests): the server's challenge, the browser's
  // passkey, and the server's answer as to a password sign-in, whose
  // sso_code the site passes to set_session. The form is the check's query
  // (core.url gives the check's for PASSKEY, which is no wire operation:
  // client, flow, locale, response type) with the receiver as
  // redirect_uri, and `fields` (keepMeLoggedIn, form).
  function passkey(fields) {
    return begin(PASSKEY, function (call) {
      if (!site) return fail(call, core.problem(NO_CONFIG, PASSKEY));
      let target = url(call, "", false), form = new URL(target).searchParams;
      function post(path) {
        return fetch(target.replace(/sso\/check\?.*/, path), { method: "POST", body: form }).then(function (r) { return r.json(); });
      }
      form.set("redirect_uri", form.get("xd_receiver"));
      for (let name in fields) form.set(name, fields[name]);
      post("oauth/passkey_challenge").then(function (challenge) {
        form.set("ceremony", challenge.ceremony);
        return challenge.options ? navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(challenge.options.publicKey) }).then(function (credential) {
          form.set("credential", JSON.stringify(credential));
          return post("oauth/auth_native_passkey");
        }) : challenge;
      }).then(function (obj) {
        obj.stat === "ok" ? settle(call, 0, obj) : fail(call, obj.error + "\n" + obj.error_description);
      }, function (e) { fail(call, "browser_error\nthe passkey sign-in failed: " + e); });
    });
  }

  return {
    passkey_sign_in: passkey,
    check_session: function (config, supported, segment) { return check_session(config, supported, segment); },
    continue_as: function (config, supported, segment) { return check_session(config, supported, segment, 1); },
    // A check through the SSO server's Storage Access button, shown in
    // `element`, for the current site.
    request_storage_access: function (element) {
      return begin(ACCESS, function (call) {
        if (!site) return fail(call, core.problem(NO_CONFIG, ACCESS));
        if (!(element instanceof Element)) return fail(call, core.problem(NOT_AN_ELEMENT, ACCESS));
        call.op = CHECK;
        call.element = element;
        inPage(call);
      });
    },
    set_session: set_session,
    end_session: function (callback) { return end(callback); },
    // The withdrawn library's names: the segments travel in the config.
    check_login: function (config) {
      return check_session(config, config && config.supported_segments, config && config.segment);
    },
    logout: function (urls, callback) { return end(callback, urls); },
  };
}
