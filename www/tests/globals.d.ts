// What the test pages (tests/pages/, sites/shared/demo.js) add to `window`
// beside the library's own globals, which sso.d.ts declares.

interface Window {
  /** tests/pages/app.html: sets the library up and records its events. */
  harness: {
    setup(options: Record<string, unknown>): unknown;
    events(): { kind: string; value: any; url: string }[];
    continueAs(): Promise<unknown>;
    requestStorageAccess(id: string): Promise<unknown>;
    config(extra?: Record<string, unknown>): SSO.Config;
  };
  /** tests/pages: the order in which queued calls ran, and whether the
   *  module had loaded when they were made. */
  order: string[];
  wasmLoadedAtCall: boolean;
  /** tests/pages/silent_receiver.html: the fragment it received. */
  received: string;
  /** tests/pages/evil: posts a forged answer to a page. */
  forge(state: string, result: string): void;
  /** tests/pages/oidc_spa.html: oidc-client-ts's UserManager, driven. */
  spa: {
    signIn(): Promise<void>;
    user(): Promise<{ access_token: string; refresh_token?: string; profile: { sub: string; email?: string } } | null>;
    renew(): Promise<{ access_token: string; refresh_token?: string; profile: { sub: string; email?: string } } | null>;
    signOut(): Promise<void>;
    done: Promise<unknown> | null;
  };
  /** sites/shared/demo.js: the site's check_session config. */
  demoConfig(): SSO.Config;
}
