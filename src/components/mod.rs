//! Presentational components. They take data (plain values, signals, the public service handles of
//! `crate::session`) and callbacks, render, and wire events; rules live in the core and in
//! `crate::state`. They never reach the browser themselves: no `crate::platform`, no session
//! internals (checked by `tests/tidy.rs`).

pub mod bulk_panel;
pub mod checklist;
pub mod donut;
pub mod error_view;
pub mod exchange;
pub mod handlers;
pub mod health;
pub mod lang;
pub mod mailbox_grid;
pub mod managed;
pub mod org_header;
pub mod sign_in;
pub mod tenant;

pub use bulk_panel::BulkPanel;
pub use checklist::{Checklist, Drill};
pub use error_view::{ErrorView, describe_error};
pub use handlers::{Download, Downloads, on_click};
pub use health::HealthView;
pub use lang::use_lang;
pub use mailbox_grid::MailboxGrid;
pub use org_header::OrgHeader;
