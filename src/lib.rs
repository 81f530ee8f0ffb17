//! SyncReady's user interface: a Leptos (CSR) app compiled to WebAssembly.
//!
//! One wasm binary serves every extension surface (side panel, popup, options) and the plain web-app
//! mode; [`surface::Surface`] picks which from the page URL. The domain logic lives in
//! `syncready-core`; this crate only wires it to the browser.
//!
//! # Layout
//!
//! - [`app`]: root component, org resolution, snapshot loading.
//! - [`surface`]: which surface this page is (`?surface=`).
//! - [`platform`]: the ONLY module that touches `web_sys`, `js_sys`, `wasm_bindgen` and `chrome.*`
//!   (fetch transport, extension storage, DOM helpers).
//! - [`state`]: view state derived from the core model (pure, host-tested).
//! - [`components`]: presentational components (checklist, error view). They contain no rules.
#![warn(missing_docs)]

pub mod app;
pub mod components;
pub mod platform;
pub mod state;
pub mod surface;

/// Installs the panic hook and mounts the app for the surface named in the page URL.
pub fn start() {
    platform::install_panic_hook();
    let query = platform::dom::query_string();
    let surface = surface::Surface::from_query(&query);
    leptos::mount::mount_to_body(move || app::App(app::AppProps { surface }));
    // The theme is a preference: `?theme=` wins (web app, screenshots), then the saved option.
    let given = surface::param(&query, "theme");
    leptos::task::spawn_local(async move {
        let theme = match given {
            Some(theme) => theme,
            None => platform::chrome::local_get(app::THEME_KEY).await.unwrap_or_default(),
        };
        platform::dom::apply_theme(&theme);
    });
}
