//! Time for the bulk driver: `Date.now()` and a `setTimeout` promise.

use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A time (Unix ms) as the admin's local time of day, e.g. "14:32:05".
pub fn local_time(ms: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from(ms as f64));
    String::from(date.to_locale_time_string("default"))
}

/// Resolves after `d` (a `setTimeout`), on the page's event loop.
pub async fn sleep(d: Duration) {
    let ms = i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global: JsValue = js_sys::global().into();
        let set_timeout = js_sys::Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&global, &resolve, &JsValue::from(ms));
            }
            None => {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The browser clock for `syncready_core::bulk::drive`: Unix milliseconds, so times saved in a run's
/// journal stay meaningful after the panel is reopened.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

impl syncready_core::bulk::Clock for BrowserClock {
    fn now(&self) -> syncready_core::bulk::Millis {
        syncready_core::bulk::Millis(now_ms())
    }

    async fn sleep(&self, d: Duration) {
        sleep(d).await;
    }
}
