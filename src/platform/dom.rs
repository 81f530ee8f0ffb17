//! Small DOM helpers.

use wasm_bindgen::JsValue;

/// The current page's query string (`?a=b`), or empty.
pub fn query_string() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The current page's origin (e.g. `http://127.0.0.1:8080`), or empty.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// Whether the page runs as an extension page (`chrome-extension://…`).
pub fn is_extension_page() -> bool {
    origin().starts_with("chrome-extension://") || origin().starts_with("extension://")
}

/// Converts a thrown JS value to a message.
pub fn js_error_text(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    js_sys::Reflect::get(value, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
