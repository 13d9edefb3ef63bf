//! The library's life in the page: entry points, hidden iframes, the
//! `message` listener, redirects and the hand-off through `sessionStorage`.

mod exports;
mod frames;
mod js;
mod library;
mod storage;
