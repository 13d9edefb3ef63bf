//! The SSO browser library: `check_session`, `set_session` and
//! `end_session`, compiled to WebAssembly and loaded by `sso.js`.
//!
//! The modules at the top are pure Rust (tested natively); `browser` is the
//! glue to the page (iframes, postMessage, sessionStorage, Promises).
//!
//! In the browser the crate is `no_std`: std's panic machinery drags
//! `core::fmt` into the wasm, and the bundle has a size budget (16 KB
//! gzipped, script and wasm together). A panic there is a plain trap.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod config;
pub mod error;
pub mod handoff;
pub mod outcome;
pub mod request;
pub mod segments;
pub mod text;

#[cfg(target_arch = "wasm32")]
mod browser;

// SAFETY: wasm32-unknown-unknown without the atomics feature runs on one
// thread, which is what AssumeSingleThreaded requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
