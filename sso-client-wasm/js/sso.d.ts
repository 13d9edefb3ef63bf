// TypeScript declarations for the SSO browser library (sso.js).
// The script tag defines the globals `SSO` and `JANRAIN.SSO` (the same object).

declare namespace SSO {
  /** The result object of every successful call (README: "the HTTP contract"). */
  interface Result {
    stat: "ok";
    result: {
      // Generated from sso-protocol (status::DELIVERED); do not edit.
      status: "success" | "no_session" | "already_checked" | "third_party_cookies_blocked";
      statusMessage: string;
      transactionId?: string;
      action: "ssoSignin" | "ssoSetSession" | "ssoEndSession";
      oneTime?: boolean;
      userData?: { email?: string; displayName?: string; uuid?: string; [field: string]: unknown };
      keepMeLoggedIn?: boolean;
      /** With `response_type: "token"` (the default). */
      accessToken?: string;
      /** With `response_type: "code"`: exchange it at the server's /oauth/token. */
      code?: string;
      ssoImplicitLogin?: boolean;
      renders?: boolean;
      /** `end_session`: the other sites' logout URIs the library loaded. */
      logoutUris?: string[];
      /** Which way the answer came: a hidden iframe, the browser's FedCM
       *  (third-party cookies blocked), or a top-level redirect. */
      channel?: "iframe" | "fedcm" | "redirect";
    };
  }

  /** Passed to `capture_error`; Promise rejections are `Error`s with the same fields. */
  interface ErrorResult {
    stat: "error";
    /** Catalog name, e.g. "missing_argument", "invalid_argument", "timeout", "url_not_registered". */
    error: string;
    error_description: string;
    /** Present on errors from the server. */
    code?: number;
    request_id?: string;
  }

  interface SsoError extends Error, ErrorResult {}

  interface Config {
    client_id: string;
    flow_name: string;
    flow_version: string | number;
    locale: string;
    redirect_uri: string;
    sso_server: string;
    xd_receiver: string;
    bp_channel?: string;
    logout_uri?: string;
    /** Check again even if this browser session already checked. Default false. */
    refresh?: boolean;
    /** "auto" (default): in-page, then silent FedCM where the person chose
     *  the account on this site through continue_as, then one top-level
     *  redirect. "jsonp": never leaves the page (third_party_cookies_blocked
     *  when nothing in-page works). "redirect": always top-level. */
    response_method?: "auto" | "jsonp" | "redirect";
    /** Default "token". */
    response_type?: "token" | "code";
    /** How long a request may stay unanswered, in ms. Default 10000. */
    timeout?: number;
    /** With `response_type: "code"`: PKCE, BASE64URL(SHA-256(code_verifier)), 43 characters. */
    code_challenge?: string;
    /** Only "S256" (the default when `code_challenge` is given). */
    code_challenge_method?: "S256";
    /** With `response_type: "code"`: returned unchanged in the ID token. */
    nonce?: string;
    capture_success?: (result: Result) => void;
    capture_error?: (error: ErrorResult) => void;
    callback_success?: (result: Result) => void;
    /** No session; also when another open tab of this site signed out
     *  (`status` "no_session", `statusMessage` "signedOut", told through a
     *  BroadcastChannel within moments, no request made). */
    callback_failure?: (result: Result | ErrorResult) => void;
  }

  /** `supported_segments` is dash-separated ("news-sport"); `segment` is the site's own. */
  function check_session(config: Config, supported_segments?: string, segment?: string): Promise<Result>;
  function set_session(sso_code: string): Promise<Result>;
  function end_session(callback?: (result: Result) => void): Promise<Result>;
  /** From a click ("Continue as …"): check_session through the browser's
   *  FedCM dialog where it has FedCM, else through the redirect. Results
   *  arrive as check_session's. Afterwards check_session may sign the
   *  person in silently through FedCM on this site, where third-party
   *  cookies are blocked. */
  function continue_as(config: Config, supported_segments?: string, segment?: string): Promise<Result>;

  /** Shows the SSO server's Storage Access button in a visible frame inside
   *  `element`, for the site of the latest check_session. The person's
   *  click there asks the browser for Storage Access; then the frame runs
   *  the check, whose answer arrives as check_session's (channel "iframe"):
   *  signed in, or third_party_cookies_blocked if the browser refused. No
   *  timeout while the button waits; the frame is removed with the answer.
   *  Rejects with no_config before any check_session, invalid_argument when
   *  `element` is not an Element. */
  function request_storage_access(element: Element): Promise<Result>;

  /** What a passkey sign-in answers: the registration API's password
   *  sign-in answer (`POST /oauth/auth_native_passkey`). */
  interface SignedIn {
    stat: "ok";
    capture_user: { uuid: string; email: string; displayName?: string; [field: string]: unknown };
    is_new: boolean;
    /** For set_session: it starts the family's SSO session. */
    sso_code: string;
    /** With the config's response_type "token". */
    access_token?: string;
    expires_in?: number;
    /** With response_type "code": for the site's backend to redeem. */
    authorization_code?: string;
  }

  /** A sign-in with the family's passkey on the site's own form, for the
   *  site of the latest check_session: asks the SSO server for a challenge
   *  (`POST /oauth/passkey_challenge`), the browser for a passkey of the
   *  server's relying party (Related Origin Requests: Chromium and Edge
   *  128+, Safari 18+), and posts the answer with the config's client,
   *  flow, locale and response type. Resolves with the server's answer,
   *  whose `sso_code` the site passes to set_session; rejects with the
   *  server's error (passkey_refused, ...), with no_config before any
   *  check_session, or with browser_error when the browser gave no passkey
   *  (the person cancelled, or the browser cannot use the family's
   *  passkeys on this site). `fields` are sent too (`keepMeLoggedIn:
   *  "true"`, `form`). */
  function passkey_sign_in(fields?: Record<string, string>): Promise<SignedIn>;

  /** The withdrawn library's names. */
  namespace CAPTURE {
    function check_login(config: Config & { supported_segments?: string; segment?: string }): Promise<Result>;
    function logout(urls?: { sso_server?: string; logout_uri?: string }, callback?: (result: Result) => void): Promise<Result>;
  }
}

declare namespace JANRAIN {
  const SSO: typeof globalThis.SSO;
}

interface Window {
  SSO: typeof SSO;
  JANRAIN: typeof JANRAIN;
}
