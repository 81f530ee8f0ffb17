//! The browser legs of signing in: `crypto.getRandomValues`, `chrome.identity`, `sessionStorage`,
//! and the page address. Plain adapters; the sign-in service that uses them (status, pending sign-in,
//! saved session) is `crate::session::sign_in`.

use super::dom;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use syncready_core::model::Timestamp;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why the browser could not do its part of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityError {
    /// `chrome.identity` is missing (no `identity` permission, or no such API in this browser).
    Unavailable,
    /// The browser refused or failed (no `crypto`, storage blocked, the sign-in window closed).
    Browser(String),
}

/// Now, in Unix seconds.
pub fn now() -> Timestamp {
    Timestamp((js_sys::Date::now() / 1000.0) as i64)
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn identity() -> Option<JsValue> {
    get(&get(&js_sys::global().into(), "chrome")?, "identity")
}

/// `N` random bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], IdentityError> {
    let unavailable = || IdentityError::Browser("this browser offers no crypto.getRandomValues".to_owned());
    let crypto = get(&js_sys::global().into(), "crypto").ok_or_else(unavailable)?;
    let fill: Function =
        get(&crypto, "getRandomValues").and_then(|f| f.dyn_into().ok()).ok_or_else(unavailable)?;
    let array = Uint8Array::new_with_length(N as u32);
    fill.call1(&crypto, &array).map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))?;
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    Ok(out)
}

/// Whether this page signs in with `chrome.identity` (extension pages) rather than a redirect.
pub fn uses_identity_flow() -> bool {
    dom::is_extension_page()
}

/// `chrome.identity.getRedirectURL(path)`: `https://<extension-id>.chromiumapp.org/<path>`.
pub fn extension_redirect_url(path: &str) -> Result<String, IdentityError> {
    let identity = identity().ok_or(IdentityError::Unavailable)?;
    let f: Function =
        get(&identity, "getRedirectURL").and_then(|f| f.dyn_into().ok()).ok_or(IdentityError::Unavailable)?;
    f.call1(&identity, &JsValue::from_str(path))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(IdentityError::Unavailable)
}

/// The page's own address without query or fragment (`origin` + `pathname`).
pub fn page_address() -> Result<String, IdentityError> {
    let location =
        web_sys::window().map(|w| w.location()).ok_or_else(|| IdentityError::Browser("no window".into()))?;
    let origin = location.origin().map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))?;
    let path = location.pathname().map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))?;
    Ok(format!("{origin}{path}"))
}

/// The page's full address (`location.href`).
pub fn href() -> Option<String> {
    web_sys::window().and_then(|w| w.location().href().ok())
}

/// Sends the browser to `url` (`location.assign`).
pub fn navigate(url: &str) -> Result<(), IdentityError> {
    let location =
        web_sys::window().map(|w| w.location()).ok_or_else(|| IdentityError::Browser("no window".into()))?;
    location.assign(url).map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))
}

/// Replaces the address in the address bar without loading it (`history.replaceState`).
pub fn replace_address(url: &str) {
    let Some(history) = web_sys::window().and_then(|w| get(&JsValue::from(w), "history")) else {
        return;
    };
    if let Some(f) = get(&history, "replaceState").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call3(&history, &JsValue::NULL, &JsValue::from_str(""), &JsValue::from_str(url));
    }
}

/// Whether `chrome.identity.launchWebAuthFlow` exists on this page.
pub fn has_web_auth_flow() -> bool {
    identity().and_then(|i| get(&i, "launchWebAuthFlow")).is_some_and(|f| f.is_function())
}

/// Runs `chrome.identity.launchWebAuthFlow` at `url` and returns the address the flow ended at.
/// `started` runs once the window is about to open.
pub async fn launch_web_auth_flow(
    url: &str,
    interactive: bool,
    started: impl FnOnce(),
) -> Result<String, IdentityError> {
    let identity = identity().ok_or(IdentityError::Unavailable)?;
    let launch: Function = get(&identity, "launchWebAuthFlow")
        .and_then(|f| f.dyn_into().ok())
        .ok_or(IdentityError::Unavailable)?;
    let details = Object::new();
    let _ = Reflect::set(&details, &JsValue::from_str("url"), &JsValue::from_str(url));
    let _ = Reflect::set(&details, &JsValue::from_str("interactive"), &JsValue::from_bool(interactive));
    started();
    let promise: Promise = launch
        .call1(&identity, &details)
        .map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| IdentityError::Browser("launchWebAuthFlow returned no promise".into()))?;
    // Rejected when the user closes the window or the authority never redirects to chromiumapp.org.
    JsFuture::from(promise)
        .await
        .map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))?
        .as_string()
        .ok_or_else(|| IdentityError::Browser("the sign-in window returned no address".into()))
}

fn session_storage() -> Result<web_sys::Storage, IdentityError> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten()).ok_or_else(|| {
        IdentityError::Browser("sessionStorage is not available (private mode or blocked storage)".into())
    })
}

/// Writes `sessionStorage[key]` (this tab only).
pub fn tab_set(key: &str, value: &str) -> Result<(), IdentityError> {
    session_storage()?.set_item(key, value).map_err(|e| IdentityError::Browser(dom::js_error_text(&e)))
}

/// Reads `sessionStorage[key]`.
pub fn tab_get(key: &str) -> Option<String> {
    session_storage().ok()?.get_item(key).ok().flatten()
}

/// Reads and removes `sessionStorage[key]`.
pub fn tab_take(key: &str) -> Option<String> {
    let storage = session_storage().ok()?;
    let value = storage.get_item(key).ok().flatten();
    let _ = storage.remove_item(key);
    value
}

/// Removes `sessionStorage[key]`.
pub fn tab_remove(key: &str) {
    if let Ok(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}
