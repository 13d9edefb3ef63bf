// Cuts from wasm-bindgen's glue (--target no-modules) the code this bundle
// can never run, which terser cannot prove dead: 151 B gzipped. Each cut
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
    "initSync: bootstrap.js loads the module with the async init only",
    "Object.assign(__wbg_init, { initSync }, exports)",
    null,
    "Object.assign(__wbg_init, exports)",
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
  [
    "a compiled module instead of a Response: bootstrap.js passes a URL, fetched",
    "        } else {\n            const instance = await WebAssembly.instantiate(module, imports);",
    "        function expectedResponseType",
    "        }\n\n",
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
