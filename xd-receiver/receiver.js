// @ts-check
// The XD receiver: runs first in sso.js. On a page whose fragment holds an
// SSO result (`#state=..&sso=..`, as the server's 303 writes it), it clears
// the fragment from the address bar and history, hands the result to the
// library on this page's own origin only, and tells sso.js to stop there.
//
// In-page (hidden iframe): postMessage to the parent with this origin as the
// exact target origin; the library also checks the source window and state.
// Top-level (redirect): store the result for the state the library recorded
// before leaving, then go back to the page it left, if on this origin.
// The storage keys come from js/protocol.js, which sso.js starts with.

/** @returns {boolean} whether this page was a receiver (nothing else runs). */
function ssoReceive() {
  const received = /^#state=([\w-]{8,128})&sso=([^&#]*)$/.exec(location.hash);
  if (!received) return false;
  // Going back replaces this history entry, fragment and all; otherwise the
  // fragment is cleared in place. The answer goes out first, so that the
  // browser's work for the history update does not delay it.
  let cleared = false;
  try {
    const state = received[1];
    const json = decodeURIComponent(received[2]);
    if (window.parent !== window) {
      window.parent.postMessage({ ssoState: state, ssoResult: json }, location.origin);
    } else {
      const pending = (sessionStorage.getItem(REDIRECT_KEY) || "").split("\n");
      const back = pending[2] && new URL(pending[2], location.href);
      if (pending[0] === state && back && back.origin === location.origin) {
        sessionStorage.setItem(RESULT_KEY, state + "\n" + json);
        location.replace(back.href);
        cleared = true;
      }
    }
  } catch (e) {}
  if (!cleared) {
    try {
      history.replaceState(history.state, "", location.pathname + location.search);
    } catch (e) {}
  }
  return true;
}
