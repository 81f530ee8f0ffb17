//! Thin bindings to the `chrome.*` extension APIs, reached through `js_sys::Reflect` so the same
//! binary runs as a plain web page (where `chrome` is absent and every call returns `None`).

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Storage key under which the service worker records the Dynamics org of the last tab that
/// reported one (see `public/background.js`).
pub const ACTIVE_ORG_KEY: &str = "syncready.activeOrg";

fn path(root: &JsValue, names: &[&str]) -> Option<JsValue> {
    let mut value = root.clone();
    for name in names {
        value = Reflect::get(&value, &JsValue::from_str(name)).ok()?;
        if value.is_undefined() || value.is_null() {
            return None;
        }
    }
    Some(value)
}

fn chrome() -> Option<JsValue> {
    path(&js_sys::global().into(), &["chrome"])
}

/// Calls `object.method(arg)` and awaits the promise it returns.
async fn call_async(object: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let function: Function = Reflect::get(object, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    let promise: Promise = function.call1(object, arg).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// Reads a string from `chrome.storage.session` (memory only, cleared when the browser closes).
pub async fn session_get(key: &str) -> Option<String> {
    let session = path(&chrome()?, &["storage", "session"])?;
    let items = call_async(&session, "get", &JsValue::from_str(key)).await?;
    Reflect::get(&items, &JsValue::from_str(key)).ok()?.as_string()
}

/// Reads a string from `chrome.storage.local` (non-secret preferences only).
pub async fn local_get(key: &str) -> Option<String> {
    let local = path(&chrome()?, &["storage", "local"])?;
    let items = call_async(&local, "get", &JsValue::from_str(key)).await?;
    Reflect::get(&items, &JsValue::from_str(key)).ok()?.as_string()
}

/// Writes a string to `chrome.storage.local` (non-secret preferences only).
pub async fn local_set(key: &str, value: &str) -> bool {
    let Some(local) = chrome().and_then(|c| path(&c, &["storage", "local"])) else {
        return false;
    };
    let items = Object::new();
    if Reflect::set(&items, &JsValue::from_str(key), &JsValue::from_str(value)).is_err() {
        return false;
    }
    call_async(&local, "set", &items).await.is_some()
}

/// The id of the current browser window, needed to open the side panel from the popup.
pub async fn current_window_id() -> Option<f64> {
    let windows = path(&chrome()?, &["windows"])?;
    let window = call_async(&windows, "getCurrent", &JsValue::UNDEFINED).await?;
    Reflect::get(&window, &JsValue::from_str("id")).ok()?.as_f64()
}

/// Opens the side panel in `window_id`. Must run inside the click handler (user gesture).
pub fn open_side_panel(window_id: f64) -> bool {
    let Some(side_panel) = chrome().and_then(|c| path(&c, &["sidePanel"])) else {
        return false;
    };
    let options = Object::new();
    if Reflect::set(&options, &JsValue::from_str("windowId"), &JsValue::from_f64(window_id)).is_err() {
        return false;
    }
    let Ok(open) =
        Reflect::get(&side_panel, &JsValue::from_str("open")).and_then(|f| f.dyn_into::<Function>())
    else {
        return false;
    };
    open.call1(&side_panel, &options).is_ok()
}

/// Key of the step the in-page guide asked the panel to open at.
pub const FOCUS_STEP_KEY: &str = "syncready.focusStep";

/// Storage key prefix of the compact step summary the in-page guide shows (one per org origin).
pub const SUMMARY_PREFIX: &str = "syncready.summary.";

/// Writes a value to `chrome.storage.session` (memory only) as JSON text. Returns false outside the
/// extension. JSON text (rather than a structured value) is read back by [`session_get_value`] with the
/// one JSON parser the Web API decoding already uses.
pub async fn session_set<T: serde::Serialize>(key: &str, value: &T) -> bool {
    let Ok(text) = json_text(value) else {
        return false;
    };
    session_set_text(key, &text).await
}

/// Writes JSON text already made (for example by hand, to keep a serializer out of the wasm) to
/// `chrome.storage.session`. Returns false outside the extension.
pub async fn session_set_text(key: &str, text: &str) -> bool {
    let Some(session) = chrome().and_then(|c| path(&c, &["storage", "session"])) else {
        return false;
    };
    let items = Object::new();
    if Reflect::set(&items, &JsValue::from_str(key), &JsValue::from_str(text)).is_err() {
        return false;
    }
    call_async(&session, "set", &items).await.is_some()
}

/// `value` as JSON text for storage: one item per line, unindented. The writer is serde_json's pretty
/// one with an empty indent, the same monomorphised serializer as the pretty-printed exports
/// (`to_string_pretty`), so the wasm carries one JSON writer per type instead of a compact and a
/// pretty one (≈ 0.3 KB gzipped); unindented, the text is only a newline per item longer than compact.
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(128);
    let mut writer =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b""));
    value.serialize(&mut writer)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Removes a key from `chrome.storage.session`.
pub async fn session_remove(key: &str) -> bool {
    let Some(session) = chrome().and_then(|c| path(&c, &["storage", "session"])) else {
        return false;
    };
    call_async(&session, "remove", &JsValue::from_str(key)).await.is_some()
}

/// Reads a value written by [`session_set`] from `chrome.storage.session` (through
/// [`FromJson`](syncready_core::json::FromJson), like the Web API's answers).
pub async fn session_get_value<T: syncready_core::json::FromJson>(key: &str) -> Option<T> {
    let text = session_get(key).await?;
    syncready_core::json::decode(&text).ok()
}

/// Reads a value written by [`local_set_value`] from `chrome.storage.local` (non-secret preferences
/// only), through [`FromJson`](syncready_core::json::FromJson).
pub async fn local_get_value<T: syncready_core::json::FromJson>(key: &str) -> Option<T> {
    let local = path(&chrome()?, &["storage", "local"])?;
    let items = call_async(&local, "get", &JsValue::from_str(key)).await?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).ok()?;
    if value.is_undefined() {
        return None;
    }
    let text = js_sys::JSON::stringify(&value).ok()?.as_string()?;
    syncready_core::json::decode(&text).ok()
}

/// Writes a serde value to `chrome.storage.local` (non-secret preferences only).
pub async fn local_set_value<T: serde::Serialize>(key: &str, value: &T) -> bool {
    let Some(local) = chrome().and_then(|c| path(&c, &["storage", "local"])) else {
        return false;
    };
    let Ok(js) = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) else {
        return false;
    };
    let items = Object::new();
    if Reflect::set(&items, &JsValue::from_str(key), &js).is_err() {
        return false;
    }
    call_async(&local, "set", &items).await.is_some()
}

/// Calls `on_change` with the new value whenever `key` changes in `chrome.storage.session` (for
/// example when the admin moves to a tab of another org). The listener lives as long as the page.
/// Returns false outside the extension.
pub fn watch_session(key: &'static str, on_change: impl Fn(Option<String>) + 'static) -> bool {
    use wasm_bindgen::closure::Closure;
    let Some(on_changed) = chrome().and_then(|c| path(&c, &["storage", "onChanged"])) else {
        return false;
    };
    let Ok(add) =
        Reflect::get(&on_changed, &JsValue::from_str("addListener")).and_then(|f| f.dyn_into::<Function>())
    else {
        return false;
    };
    let listener = Closure::<dyn Fn(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
        if area.as_string().as_deref() != Some("session") {
            return;
        }
        let Ok(change) = Reflect::get(&changes, &JsValue::from_str(key)) else {
            return;
        };
        if change.is_undefined() {
            return;
        }
        let new = Reflect::get(&change, &JsValue::from_str("newValue")).ok().and_then(|v| v.as_string());
        on_change(new);
    });
    let ok = add.call1(&on_changed, listener.as_ref()).is_ok();
    // The page keeps listening until it closes; the closure must outlive this call.
    listener.forget();
    ok
}

/// Reads every policy the organisation set in `chrome.storage.managed` (read-only, declared by
/// `public/managed_schema.json`) through [`FromJson`](syncready_core::json::FromJson). `None` outside the
/// extension or when the browser refuses (no policy set is an empty object, read as such).
pub async fn managed_get_value<T: syncready_core::json::FromJson>() -> Option<T> {
    let managed = path(&chrome()?, &["storage", "managed"])?;
    let items = call_async(&managed, "get", &JsValue::NULL).await?;
    let text = js_sys::JSON::stringify(&items).ok()?.as_string()?;
    syncready_core::json::decode(&text).ok()
}
