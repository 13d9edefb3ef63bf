// Test harness: records every callback and Promise outcome of the library
// in sessionStorage, which survives the top-level redirect round trips, and
// on each load runs the check the test stored (as a site would).
//
// Each setup starts a new generation. An outcome is recorded only while the
// generation its call started in is still current: a page load autoruns the
// check of the settings left over from the test's previous visit to this
// origin, and that stale check may settle after the test's new setup.
(function () {
  var KEY = 'harness-events';
  function events() {
    return JSON.parse(sessionStorage.getItem(KEY) || '[]');
  }
  function generation() {
    return (settings() || {}).generation;
  }
  function record(kind, value) {
    var list = events();
    list.push({ kind: kind, value: value === undefined ? null : JSON.parse(JSON.stringify(value)), url: location.href });
    sessionStorage.setItem(KEY, JSON.stringify(list));
  }
  function settings() {
    return JSON.parse(sessionStorage.getItem('harness-settings') || 'null');
  }
  /** `record`, bound to the generation current now. */
  function recorder() {
    var started = generation();
    return function (kind, value) {
      if (generation() === started) record(kind, value);
    };
  }
  function config(extra) {
    var s = settings() || {};
    var rec = recorder();
    return Object.assign({}, s.config, {
      capture_success: function (r) { rec('capture_success', r); },
      capture_error: function (r) { rec('capture_error', r); },
      callback_success: function (r) { rec('callback_success', r); },
      callback_failure: function (r) { rec('callback_failure', r); },
    }, extra || {});
  }
  function settle(name, promise) {
    var rec = recorder();
    return promise.then(
      function (r) { rec(name + ':resolved', r); return r; },
      function (e) { rec(name + ':rejected', { message: e.message, error: e.error, isError: e instanceof Error }); }
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
      s.generation = (generation() || 0) + 1;
      sessionStorage.setItem('harness-settings', JSON.stringify(s));
      sessionStorage.removeItem(KEY);
    },
    /** continue_as with the stored settings (a site calls it from a click). */
    continueAs: function () {
      var s = settings() || {};
      record('continue_as', null);
      return settle('continue', SSO.continue_as(config(), s.supported, s.segment));
    },
    /** request_storage_access into a new element with the given id (the
     *  site's "Use my sign-in here" box). */
    requestStorageAccess: function (id) {
      var box = document.createElement('div');
      box.id = id;
      document.body.append(box);
      record('request_storage_access', null);
      return settle('access', SSO.request_storage_access(box));
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
