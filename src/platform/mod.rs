//! Everything that touches the browser: `web_sys`, `js_sys`, `wasm_bindgen` and the `chrome.*`
//! extension APIs. No other module of this crate may import them (checked by `tests/tidy.rs`).

pub mod bearer;
pub mod chrome;
pub mod clock;
pub mod dom;
pub mod oauth;
pub mod transport;

/// Routes Rust panics to the browser console with a readable message.
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}
