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

/// Which hosts an org URL or sign-in authority may name on this page: loopback only in a web app
/// served from the admin's own machine (the simulator demo); extension pages and web apps on a real
/// host get Dataverse orgs and Entra ID only (issue 12). The origin is the browser's, not a parameter.
pub fn host_policy() -> syncready_core::model::HostPolicy {
    use syncready_core::model::{HostPolicy, OrgUrl};
    let local = !is_extension_page()
        && OrgUrl::parse_with(&origin(), HostPolicy::AllowLoopback).is_ok_and(|o| o.is_loopback());
    if local { HostPolicy::AllowLoopback } else { HostPolicy::Production }
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

/// Offers `text` as a file download named `filename` (the user's browser saves it).
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let fail = |e: JsValue| js_error_text(&e);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "not an anchor".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)
}

/// Scrolls the element with `data-testid=<testid>` into view and marks it focused for the eye.
pub fn focus_testid(testid: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let selector = format!("[data-testid=\"{}\"]", testid.replace(['"', '\\'], ""));
    match document.query_selector(&selector) {
        Ok(Some(el)) => {
            el.scroll_into_view();
            let _ = el.class_list().add_1("sr-focus");
            true
        }
        _ => false,
    }
}

/// Moves keyboard focus to the element with `data-testid=<testid>` (when it is a focusable HTML
/// element): a keyboard user who opens a dialog-like sheet lands on its main button.
pub fn move_focus(testid: &str) -> bool {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let selector = format!("[data-testid=\"{}\"]", testid.replace(['"', '\\'], ""));
    match document.query_selector(&selector) {
        Ok(Some(el)) => el.dyn_into::<web_sys::HtmlElement>().is_ok_and(|el| el.focus().is_ok()),
        _ => false,
    }
}

/// Applies a theme preference: `light` or `dark` force it, anything else follows the system.
pub fn apply_theme(theme: &str) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
        return;
    };
    let _ = match theme {
        "light" | "dark" => root.set_attribute("data-theme", theme),
        _ => root.remove_attribute("data-theme"),
    };
}

/// Records, once per page, how long after navigation start the checklist first appeared
/// (`performance.now()`, in ms) on `<html data-checklist-shown-ms>`, for the panel benchmark.
pub fn mark_checklist_shown() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(root) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    if root.has_attribute("data-checklist-shown-ms") {
        return;
    }
    if let Some(perf) = window.performance() {
        let _ = root.set_attribute("data-checklist-shown-ms", &format!("{}", perf.now().round() as u64));
    }
}
