// What the bundle (bundle.sh) joins the page-side files with, for
// `tsc --checkJs` (make lint): each file is checked on its own.

/** wasm-bindgen's `--target no-modules` glue, trimmed (trim-glue.mjs): the
 *  library's exports (src/browser/exports.rs), usable once `initSync` has
 *  instantiated the module from its bytes. */
interface WasmBindgen {
  initSync(bytes: ArrayBuffer): unknown;
  [exported: string]: any;
}

/** The entry points library.js builds: check_session, set_session, ... */
type Api = Record<string, (...args: any[]) => Promise<unknown>>;

declare const wasm_bindgen: WasmBindgen;
declare function library(core: WasmBindgen): Api;
declare function ssoReceive(): boolean;
declare function ssoBootstrap(wasm_bindgen: WasmBindgen, library: (core: WasmBindgen) => Api): void;
