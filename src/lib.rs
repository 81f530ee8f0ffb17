//! SyncReady's user interface: a Leptos (CSR) app compiled to WebAssembly.
//!
//! One wasm binary serves every extension surface (side panel, popup, options) and the plain web-app
//! mode; [`surface::Surface`] picks which from the page URL. The domain logic lives in
//! `syncready-core`; this crate only wires it to the browser.
//!
//! # Layout
//!
//! Layers, each importing only the ones below it:
//!
//! - [`pages`]: one component per surface (panel and web app, popup, options) and the root `App`;
//!   they make the page's services and lay out the components.
//! - [`session`]: stateful services: the org read, the bulk run, the own sign-in.
//! - [`components`]: render only: data and callbacks in, view out; no `platform`, no session
//!   internals.
//! - [`state`]: view state derived from the core model (pure, host-tested).
//! - [`platform`]: the ONLY module that touches `web_sys`, `js_sys`, `wasm_bindgen` and `chrome.*`
//!   (fetch transport, extension storage, DOM helpers, sign-in legs); a leaf.
//! - [`surface`]: which surface this page is (`?surface=`).
#![warn(missing_docs)]

pub mod components;
pub mod pages;
pub mod platform;
pub mod session;
pub mod state;
pub mod surface;

/// Installs the panic hook and mounts the app for the surface named in the page URL.
pub fn start() {
    platform::install_panic_hook();
    let query = platform::dom::query_string();
    let surface = surface::Surface::from_query(&query);
    leptos::mount::mount_to_body(move || pages::App(pages::AppProps { surface }));
    // The theme is a preference: `?theme=` wins (web app, screenshots), then the saved option.
    let given = surface::param(&query, "theme");
    leptos::task::spawn_local(async move {
        let theme = match given {
            Some(theme) => theme,
            None => platform::chrome::local_get(pages::options::THEME_KEY).await.unwrap_or_default(),
        };
        platform::dom::apply_theme(&theme);
    });
}
