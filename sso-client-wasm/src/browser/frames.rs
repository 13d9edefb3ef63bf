//! Hidden iframes: one per in-page request, and one per front-channel
//! logout URI.

use wasm_bindgen::JsCast;
use web_sys::HtmlIFrameElement;

use crate::error::Problem;

pub fn hidden(src: &str) -> Result<HtmlIFrameElement, Problem> {
    let refused = Problem::Browser("create the hidden iframe");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(refused.clone())?;
    let frame: HtmlIFrameElement = document
        .create_element("iframe")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or(refused.clone())?;
    for (name, value) in [
        ("style", "display:none"),
        ("aria-hidden", "true"),
        ("tabindex", "-1"),
        ("title", "sso"),
    ] {
        let _ = frame.set_attribute(name, value);
    }
    frame.set_src(src);
    let parent = document
        .body()
        .map(Into::into)
        .or_else(|| document.document_element().map(Into::into));
    let parent: web_sys::Node = parent.ok_or(refused.clone())?;
    parent.append_child(&frame).map_err(|_| refused)?;
    Ok(frame)
}

pub fn remove(frame: &HtmlIFrameElement) {
    frame.remove();
}
