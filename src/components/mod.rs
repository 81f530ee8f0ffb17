//! Presentational components. They render view data and wire events; rules live in the core.

pub mod bulk_panel;
pub mod checklist;
pub mod donut;
pub mod error_view;
pub mod exchange;
pub mod health;
pub mod mailbox_grid;
pub mod managed;
pub mod org_header;
pub mod sign_in;

pub use bulk_panel::BulkPanel;
pub use checklist::{Checklist, Drill};
pub use error_view::{ErrorView, describe_error};
pub use health::HealthView;
pub use mailbox_grid::MailboxGrid;
pub use org_header::OrgHeader;

use leptos::prelude::{Callable, Callback};

/// A click handler that runs `action`. Every button's handler is this one type, so the event
/// machinery (attribute erasure, the wasm-bindgen closure) is compiled once instead of per button.
pub fn on_click(action: Callback<()>) -> impl FnMut(leptos::ev::MouseEvent) + Clone + 'static {
    move |_| action.run(())
}
