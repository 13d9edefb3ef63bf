//! Reading and building JS values through `Reflect`.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::config::Raw;

pub fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
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

/// A plain object with these fields.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj: JsValue = Object::new().into();
    for (key, value) in fields {
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj
}
