// The demo sites' own code: what an operator writes around the SSO library.
// SITE (client id, segment, supported segments, name, colour, and whether
// the site has a backend) comes from each site's site.js; the pages
// themselves are the same for all three.
var SSO_SERVER = "http://sso.localhost:8080";
var ORIGIN = location.origin;

function config() {
  return {
    client_id: SITE.client_id,
    flow_name: "standard",
    flow_version: "1",
    locale: "en-US",
    redirect_uri: ORIGIN + "/",
    sso_server: SSO_SERVER,
    xd_receiver: ORIGIN + "/xd_receiver.html",
    logout_uri: ORIGIN + "/logout.html",
    // A site with a backend asks for a one-time code and lets the backend
    // redeem it; the others take the access token directly.
    response_type: SITE.backend ? "code" : "token",
    // The access token is bound to the SSO session: it stops working when
    // the session ends, on any site of the family (see verify below).
    // `channel` says how the library learned it: "iframe", "fedcm" (the
    // browser's FedCM, without leaving the page) or "redirect".
    capture_success: function (r) {
      if (r.result.code) accountFromCode(r.result.code, r.result.channel);
      else signedIn(r.result.userData, r.result.accessToken, null, r.result.channel);
    },
    // set_session done: check again for a token bound to the new session.
    callback_success: function () { recheck(); },
    callback_failure: function (r) {
      // no_session: the SSO session is gone, so is ours; already_checked:
      // keep what we have.
      if (r.result && r.result.status === "no_session") signedIn(null);
    },
    capture_error: function (e) { showError(e.error_description || e.error); },
  };
}

function user() {
  return JSON.parse(localStorage.getItem("demo-user") || "null");
}

function signedIn(u, token, account, channel) {
  if (u) {
    var record = Object.assign({}, u, { token: token, account: account, channel: channel });
    localStorage.setItem("demo-user", JSON.stringify(record));
  } else {
    // The backend's own session ends with ours.
    if (SITE.backend && user()) fetch("/account/signout", { method: "POST", keepalive: true });
    localStorage.removeItem("demo-user");
  }
  render();
}

// The backend redeems the code at the SSO server and signs us in to the
// site's own account, which it creates the first time (users on demand).
function accountFromCode(code, channel) {
  fetch("/account/sso", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: code }),
  })
    .then(function (r) { return r.json(); })
    .then(function (answer) {
      if (answer.error) return showError(answer.error);
      signedIn(answer.user, answer.access_token, answer.account, channel);
    })
    .catch(function (e) { showError(e.message); });
}

function recheck() {
  SSO.check_session(Object.assign(config(), { refresh: true }), SITE.supported_segments, SITE.segment);
}

// Our own sign-in outlives a sign-out elsewhere: the front-channel
// logout.html runs in a frame whose storage the browser partitions, so it
// cannot clear ours. The token can tell: if the SSO session behind it has
// ended (or moved to a new cookie), ask the SSO server again.
function verify() {
  var u = user();
  if (!u || !u.token) return;
  fetch(SSO_SERVER + "/entity", { headers: { Authorization: "Bearer " + u.token } })
    .then(function (r) {
      if (r.status !== 401) return;
      signedIn(null);
      recheck();
    })
    .catch(function () { /* offline: keep what we have */ });
}

function render() {
  if (!document.getElementById("who")) return; // before the DOM: DOMContentLoaded renders
  var u = user();
  document.getElementById("who").textContent = u ? (u.displayName || u.email) : "not signed in";
  document.getElementById("who").dataset.uuid = u ? u.uuid : "";
  document.getElementById("signed-in").hidden = !u;
  document.getElementById("signed-out").hidden = !!u;
  var account = u && u.account;
  document.getElementById("account").hidden = !account;
  document.getElementById("account-id").textContent = account ? account.id : "";
  document.getElementById("account-note").textContent = !account ? ""
    : account.created ? "created just now for your SSO sign-in" : "linked to your SSO sign-in";
  var channel = u && u.channel;
  document.getElementById("channel-note").hidden = !channel;
  document.getElementById("channel").textContent = channel || "";
  // Where a redirect was needed and the browser has FedCM, one click on
  // "Continue as" spares this site's later visits the redirect.
  document.getElementById("use-fedcm").hidden = !(channel === "redirect" && "IdentityCredential" in window);
  loadSessions();
}

// "Your sessions" (sites with SITE.sessions): the person's sign-ins in every
// browser and the site accounts' sessions, from the SSO server, with the
// token this page holds. Built with textContent: labels come from other
// browsers' User-Agents.
function loadSessions() {
  var panel = document.getElementById("sessions");
  var u = user();
  if (!panel) return;
  if (!SITE.sessions || !u || !u.token) { panel.hidden = true; return; }
  fetch(SSO_SERVER + "/entity/sessions", { headers: { Authorization: "Bearer " + u.token } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (answer) {
      if (!answer) { panel.hidden = true; return; }
      var list = document.getElementById("session-list");
      list.replaceChildren();
      answer.result.sessions.forEach(function (s) {
        var item = document.createElement("li");
        item.dataset.id = s.id;
        item.dataset.current = String(s.current);
        var what = s.kind === "api" ? "site account" : "sites: " + s.sites.join(", ");
        item.textContent = s.device + " · " + what + " · last used " +
          new Date(s.last_used * 1000).toLocaleString() + (s.current ? " · this browser" : "");
        if (!s.current) {
          var end = document.createElement("button");
          end.type = "button";
          end.textContent = "Sign out";
          end.addEventListener("click", function () { endSessions("end", { session_id: s.id }); });
          item.append(end);
        }
        list.append(item);
      });
      panel.hidden = false;
    })
    .catch(function () { panel.hidden = true; });
}

function endSessions(path, form) {
  var u = user();
  if (!u || !u.token) return;
  fetch(SSO_SERVER + "/entity/sessions/" + path, {
    method: "POST",
    headers: { Authorization: "Bearer " + u.token },
    body: new URLSearchParams(form || {}),
  })
    .then(function (r) { return r.json(); })
    .then(function (answer) {
      if (answer.stat !== "ok") showError(answer.error_description);
      loadSessions();
    })
    .catch(function (e) { showError(e.message); });
}

function showError(message) {
  document.getElementById("error").textContent = message || "";
}

// Sign-in and registration go to the registration API from the browser;
// its sso_code then starts the SSO session for every site of the family.
function submit(form, endpoint, fields) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var body = new URLSearchParams({
      client_id: SITE.client_id, flow: "standard", flow_version: "1", locale: "en-US",
      redirect_uri: ORIGIN + "/",
    });
    fields.forEach(function (name) {
      var input = form.elements[name];
      if (input.type === "checkbox") { if (input.checked) body.set(name, "true"); }
      else body.set(name, input.value);
    });
    fetch(SSO_SERVER + "/oauth/" + endpoint, { method: "POST", body: body })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.stat !== "ok") return showError(answer.error_description);
        return startSession(answer);
      })
      .catch(function (e) { showError(e.message); });
  });
}

// A sign-in's answer: its sso_code starts the family's SSO session. No
// token yet: the one the check after set_session brings is bound to it.
function startSession(answer) {
  var u = answer.capture_user;
  signedIn({ uuid: u.uuid, email: u.email, displayName: u.displayName });
  return SSO.set_session(answer.sso_code);
}

// The family's passkey on this site's own form: the library asks the SSO
// server for a challenge, the browser for the passkey (Related Origin
// Requests), and answers as a password sign-in does.
function signInWithPasskey() {
  showError("");
  var keep = document.getElementById("sign-in").elements.keepMeLoggedIn.checked;
  SSO.passkey_sign_in(keep ? { keepMeLoggedIn: "true" } : {})
    .then(startSession)
    .catch(function (e) { showError(e.message); });
}

// "Forgot password?": the registration API mails a reset link (the same
// answer whether or not an account has the address); the link opens the
// SSO server's page for choosing a new password.
function forgotPassword() {
  showError("");
  var email = document.getElementById("sign-in").elements.signInEmailAddress.value;
  if (!email) return showError("Enter your email address first.");
  var body = new URLSearchParams({ client_id: SITE.client_id, email: email });
  fetch(SSO_SERVER + "/oauth/forgot_password", { method: "POST", body: body })
    .then(function (r) { return r.json(); })
    .then(function (answer) {
      if (answer.stat !== "ok") return showError(answer.error_description);
      document.getElementById("notice").textContent =
        "If an account has this address, a link to choose a new password is on its way.";
    })
    .catch(function (e) { showError(e.message); });
}

document.addEventListener("DOMContentLoaded", function () {
  document.title = SITE.name;
  document.documentElement.style.setProperty("--brand", SITE.brand);
  document.getElementById("site-name").textContent = SITE.name;
  document.getElementById("segment").textContent = SITE.segment;
  document.getElementById("supported").textContent = SITE.supported_segments;
  render();
  submit(document.getElementById("sign-in"), "auth_native_traditional",
    ["signInEmailAddress", "currentPassword", "keepMeLoggedIn"]);
  submit(document.getElementById("register"), "register_native_traditional",
    ["emailAddress", "displayName", "password", "keepMeLoggedIn"]);
  document.getElementById("forgot").addEventListener("click", forgotPassword);
  document.getElementById("use-passkey").addEventListener("click", signInWithPasskey);
  document.getElementById("use-fedcm").addEventListener("click", function () {
    SSO.continue_as(config(), SITE.supported_segments, SITE.segment);
  });
  document.getElementById("end-others").addEventListener("click", function () {
    endSessions("end_others");
  });
  document.getElementById("sign-out").addEventListener("click", function () {
    signedIn(null); // before the library may navigate away
    SSO.end_session(function () { render(); });
  });
});

window.demoConfig = config;
SSO.check_session(config(), SITE.supported_segments, SITE.segment);
verify();
