// What the bundle (bundle.sh) joins the page-side files with, for
// `tsc --checkJs` (make lint): each file is checked on its own.

/** wasm-bindgen's `--target no-modules` glue: the init function, which also
 *  carries the library's exports (src/browser/exports.rs) once loaded. */
interface WasmBindgen {
  (init: { module_or_path: URL }): Promise<unknown>;
  [exported: string]: any;
}

/** The entry points library.js builds: check_session, set_session, ... */
type Api = Record<string, (...args: any[]) => Promise<unknown>>;

declare const wasm_bindgen: WasmBindgen;
declare function library(core: WasmBindgen): Api;
declare function ssoReceive(): boolean;
declare function ssoBootstrap(wasm_bindgen: WasmBindgen, library: (core: WasmBindgen) => Api): void;
