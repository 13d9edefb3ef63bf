// Test harness: records every callback and Promise outcome of the library
// in sessionStorage, which survives the top-level redirect round trips, and
// on each load runs the check the test stored (as a site would).
(function () {
  var KEY = 'harness-events';
  function events() {
    return JSON.parse(sessionStorage.getItem(KEY) || '[]');
  }
  function record(kind, value) {
    var list = events();
    list.push({ kind: kind, value: value === undefined ? null : JSON.parse(JSON.stringify(value)), url: location.href });
    sessionStorage.setItem(KEY, JSON.stringify(list));
  }
  function settings() {
    return JSON.parse(sessionStorage.getItem('harness-settings') || 'null');
  }
  function config(extra) {
    var s = settings() || {};
    return Object.assign({}, s.config, {
      capture_success: function (r) { record('capture_success', r); },
      capture_error: function (r) { record('capture_error', r); },
      callback_success: function (r) { record('callback_success', r); },
      callback_failure: function (r) { record('callback_failure', r); },
    }, extra || {});
  }
  function settle(name, promise) {
    return promise.then(
      function (r) { record(name + ':resolved', r); return r; },
      function (e) { record(name + ':rejected', { message: e.message, error: e.error, isError: e instanceof Error }); }
    );
  }
  function check(extra) {
    var s = settings() || {};
    record('check_session', null);
    if (s.janrain) {
      var c = config(Object.assign({ supported_segments: s.supported, segment: s.segment }, extra));
      return settle('check', JANRAIN.SSO.CAPTURE.check_login(c));
    }
    return settle('check', SSO.check_session(config(extra), s.supported, s.segment));
  }
  window.harness = {
    events: events,
    record: record,
    config: config,
    settle: settle,
    check: check,
    setup: function (s) {
      sessionStorage.setItem('harness-settings', JSON.stringify(s));
      sessionStorage.removeItem(KEY);
    },
    set: function (code) { record('set_session', null); return settle('set', SSO.set_session(code)); },
    end: function (withCallback) {
      record('end_session', null);
      return settle('end', SSO.end_session(withCallback ? function (r) { record('end_callback', r); } : undefined));
    },
    logout: function (urls) {
      record('end_session', null);
      return settle('end', JANRAIN.SSO.CAPTURE.logout(urls, function (r) { record('end_callback', r); }));
    },
  };
  var s = settings();
  if (s && s.autorun) check();
})();
