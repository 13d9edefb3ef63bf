// Makes the allocator's out-of-memory handler a trap, as every panic in the
// browser build is (src/lib.rs). Rust's default handler formats "memory
// allocation of {size} bytes failed" for a panic handler that never reads
// it, and that one format string keeps core::fmt's integer printing in the
// wasm; stable Rust has no `#[alloc_error_handler]` to replace it. The
// handler must be found exactly once, so a toolchain that renames it fails
// the build here rather than shipping the bytes.
// Usage: node trim-wasm.mjs <sso_bg.wasm from wasm-bindgen>
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const path = process.argv[2];
const module = binaryen.readBinary(readFileSync(path));
const F = binaryen.Features;
// The features bundle.sh gives wasm-opt: Rust's wasm32 defaults.
module.setFeatures(F.MVP | F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.ReferenceTypes | F.Multivalue);

const handlers = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
  if (!info.module && info.name.includes("__rdl_alloc_error_handler")) handlers.push(info);
}
if (handlers.length !== 1) {
  console.error(`trim-wasm.mjs: expected one __rdl_alloc_error_handler in ${path}, found ${handlers.length}`);
  process.exit(1);
}
const { name, params, results } = handlers[0];
module.removeFunction(name);
module.addFunction(name, params, results, [], module.unreachable());
if (!module.validate()) process.exit(1);
writeFileSync(path, module.emitBinary());
