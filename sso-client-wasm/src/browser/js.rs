//! Small helpers over `Reflect`, errors and the console, so the rest reads
//! as Rust.

use alloc::borrow::ToOwned;
use alloc::string::String;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::Raw;

pub fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

pub fn raw(value: &JsValue) -> Raw {
    if value.is_undefined() || value.is_null() {
        Raw::Absent
    } else if let Some(s) = value.as_string() {
        Raw::Str(s)
    } else if let Some(n) = value.as_f64() {
        Raw::Num(n)
    } else if let Some(b) = value.as_bool() {
        Raw::Bool(b)
    } else if value.is_function() {
        Raw::Func
    } else {
        Raw::Other
    }
}

pub fn function(value: JsValue) -> Option<Function> {
    value.dyn_into::<Function>().ok()
}

/// `{stat, result: {status, statusMessage, action}}` for answers the
/// library gives without asking the server.
pub fn status_object(status: &str, message: &str, action: &str) -> JsValue {
    let result: JsValue = Object::new().into();
    set(&result, "status", &status.into());
    set(&result, "statusMessage", &message.into());
    set(&result, "action", &action.into());
    let outer: JsValue = Object::new().into();
    set(&outer, "stat", &"ok".into());
    set(&outer, "result", &result);
    outer
}

/// `{stat: "error", error, error_description}`, the server's error shape.
pub fn error_object(error: &str, description: &str) -> JsValue {
    let obj: JsValue = Object::new().into();
    set(&obj, "stat", &"error".into());
    set(&obj, "error", &error.into());
    set(&obj, "error_description", &description.into());
    obj
}

/// An `Error` for Promise rejections, carrying the error object's fields so
/// `e.error` and `e.error_description` work as well as `e.message`.
pub fn rejection(obj: &JsValue) -> JsValue {
    let message = get_str(obj, "error_description")
        .or_else(|| get_str(obj, "error"))
        .unwrap_or_else(|| "SSO request failed".to_owned());
    let err: JsValue = js_sys::Error::new(&message).into();
    for key in ["stat", "code", "error", "error_description", "request_id"] {
        let value = get(obj, key);
        if !value.is_undefined() {
            set(&err, key, &value);
        }
    }
    err
}

pub fn console_error(message: &str) {
    web_sys::console::error_1(&message.into());
}

/// Calls a site callback; a callback that throws is reported, not fatal.
pub fn call(callback: Option<&Function>, arg: &JsValue) {
    if let Some(f) = callback
        && let Err(e) = f.call1(&JsValue::NULL, arg)
    {
        web_sys::console::error_2(&"SSO: a site callback threw:".into(), &e);
    }
}
