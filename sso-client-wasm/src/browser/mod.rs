//! The boundary with the page script (`js/library.js`): the functions it
//! calls for every decision. The script owns only what the page must do:
//! iframes, the `message` listener, timers, `sessionStorage`, Promises and
//! the site's callbacks. Doing those from Rust took wasm-bindgen closures
//! and some 60 imports, about 10 KB of the gzipped bundle.

mod exports;
