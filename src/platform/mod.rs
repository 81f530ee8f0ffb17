//! Everything that touches the browser: `web_sys`, `js_sys`, `wasm_bindgen` and the `chrome.*`
//! extension APIs. No other module of this crate may import them (checked by `tests/tidy.rs`).
//!
//! A leaf: plain adapters that import nothing of `pages`, `session`, `components` or `state`
//! (checked by `tests/tidy.rs`); the services built on them are `crate::session`.
//!
//! - [`chrome`]: `chrome.storage` (session, local, managed), the side panel, the active window.
//! - [`clock`]: `Date.now()`, `setTimeout` and the bulk driver's clock.
//! - [`dom`]: the page address, theme, focus, downloads.
//! - [`identity`]: the browser legs of signing in (`crypto`, `chrome.identity`, `sessionStorage`).
//! - [`transport`]: `fetch` as the core's `Transport`, and the page's limits ledger.

pub mod chrome;
pub mod clock;
pub mod dom;
pub mod identity;
pub mod transport;

/// Routes Rust panics to the browser console with a readable message.
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}
