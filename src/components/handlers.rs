//! What every component's event wiring shares: the click handler type and the page's way to offer
//! a file. A leaf of `components`, so the components import it without importing their parent.

use leptos::prelude::{Callable, Callback};

/// A click handler that runs `action`. Every button's handler is this one type, so the event
/// machinery (attribute erasure, the wasm-bindgen closure) is compiled once instead of per button.
pub fn on_click(action: Callback<()>) -> impl FnMut(leptos::ev::MouseEvent) + Clone + 'static {
    move |_| action.run(())
}

/// A file the admin asked for (an export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// File name to save as.
    pub name: String,
    /// Its media type.
    pub mime: &'static str,
    /// Its content.
    pub text: String,
}

/// How this page offers a file to the admin: provided as context by the page root, used by the
/// export buttons deep in the views (a context rather than a prop threaded through each plot).
#[derive(Debug, Clone, Copy)]
pub struct Downloads(pub Callback<Download>);
