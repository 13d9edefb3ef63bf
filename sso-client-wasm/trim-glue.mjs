// Cuts from wasm-bindgen's glue (--target no-modules) the code this bundle
// can never run, which terser cannot prove dead. Each cut
// names its exact text and must match once, so a wasm-bindgen upgrade that
// changes the glue fails the build here rather than shipping it half cut.
// Usage: node trim-glue.mjs <sso.js from wasm-bindgen>
import { readFileSync, writeFileSync } from "node:fs";

const path = process.argv[2];
let glue = readFileSync(path, "utf8");

// [why, from, to]: `to` replaces the text from `from` up to (not
// including) `until`, or `from` alone when there is no `until`.
const CUTS = [
  [
    "the async init: bootstrap.js fetches the module itself and passes its bytes to initSync",
    "Object.assign(__wbg_init, { initSync }, exports)",
    null,
    "Object.assign(exports, { initSync })",
  ],
  [
    "initSync's guards: bootstrap.js calls it once, with the module's bytes",
    "    function initSync(module) {",
    "        const instance = new WebAssembly.Instance(module, imports);",
    "    function initSync(module) {\n        const imports = __wbg_get_imports();\n        module = new WebAssembly.Module(module);\n",
  ],
  [
    "TextEncoder.encodeInto: in every browser with WebAssembly reference types",
    "    if (!('encodeInto' in cachedTextEncoder)) {",
    "    let WASM_VECTOR_LEN",
    "",
  ],
  [
    "passStringToWasm0 without realloc: the glue always passes realloc",
    "        if (realloc === undefined) {",
    "        let len = arg.length;",
    "",
  ],
];

for (const [why, from, until, to] of CUTS) {
  const start = glue.indexOf(from);
  if (start < 0 || glue.indexOf(from, start + 1) >= 0) {
    console.error(`trim-glue.mjs: wasm-bindgen's glue changed; no single match for the cut of ${why}`);
    process.exit(1);
  }
  const end = until === null ? start + from.length : glue.indexOf(until, start);
  if (end < 0) {
    console.error(`trim-glue.mjs: wasm-bindgen's glue changed; the cut of ${why} has no end`);
    process.exit(1);
  }
  glue = glue.slice(0, start) + to + glue.slice(end);
}
writeFileSync(path, glue);
