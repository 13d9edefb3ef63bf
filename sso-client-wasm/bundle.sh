#!/usr/bin/env bash
# Assembles the browser bundle the server serves: sso.js (receiver +
# wasm-bindgen glue + the library's page side, page.js and library.js + the
# SSO global, in one closure so nothing but `SSO` and `JANRAIN` leaks into
# the page, minified by terser), sso_bg.wasm (wasm-opt -Oz) and sso.d.ts.
# wasm-opt and terser come from this folder's package-lock.json: Debian's
# binaryen 108 rewrites wasm-bindgen's externref table into one browsers
# reject.
# Usage: [WASM_BINDGEN=<path>] bundle.sh <compiled .wasm> <output dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/node_modules/.bin
wasm=$1
out=$2
work=$out/.work
mkdir -p "$work"

# --omit-default-module-path: bootstrap.js always names the wasm URL, so
# the glue's guess from document.currentScript is dead code (32 B gzip).
"${WASM_BINDGEN:-wasm-bindgen}" --target no-modules --no-typescript --omit-default-module-path --out-name sso --out-dir "$work" "$wasm"
# Code of the glue this bundle never runs (see the script).
node "$here/trim-glue.mjs" "$work/sso.js"
# The allocator's out-of-memory handler, a trap (see the script).
node "$here/trim-wasm.mjs" "$work/sso_bg.wasm"
# wasm-opt runs without a name section and with the features Rust's wasm32
# target enables by default.
"$bin/wasm-opt" -Oz --converge --zero-filled-memory --strip-target-features --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers "$work/sso_bg.wasm" -o "$out/sso_bg.wasm"

version=$(sha256sum "$out/sso_bg.wasm" | cut -c1-16)
{
  echo "(function () {"
  echo '"use strict";'
  cat "$here/js/protocol.js"
  cat "$here/../xd-receiver/receiver.js"
  echo "if (ssoReceive()) return;"
  cat "$work/sso.js"
  cat "$here/js/page.js"
  cat "$here/js/library.js"
  sed "s/__WASM_VERSION__/$version/" "$here/js/bootstrap.js"
  echo "ssoBootstrap(wasm_bindgen, library);"
  echo "})();"
} > "$work/sso.full.js"
# console.warn calls are dropped: only wasm-bindgen's glue has them, for
# misuses of its init function that bootstrap.js never makes (51 B gzip).
"$bin/terser" "$work/sso.full.js" --compress 'passes=3,unsafe_arrows=true,pure_funcs=["console.warn"]' --mangle --ecma 2020 \
  --preamble "/* SSO browser library: check_session, set_session, end_session. */" \
  -o "$out/sso.js"
cp "$here/js/sso.d.ts" "$out/sso.d.ts"
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
echo "bundle: $out/sso.js $(wc -c < "$out/sso.js") B, $out/sso_bg.wasm $(wc -c < "$out/sso_bg.wasm") B (version $version)"
