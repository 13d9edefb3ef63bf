//! `sessionStorage`, which remembers completed checks and carries results
//! across a top-level redirect. A browser that refuses storage gets `None`.

use alloc::string::String;
use web_sys::Storage;

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn read(key: &str) -> Option<String> {
    session()?.get_item(key).ok()?
}

/// `false` when the browser refused to store the value.
pub fn write(key: &str, value: &str) -> bool {
    session().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = session() {
        let _ = s.remove_item(key);
    }
}
