//! Host tests of the UI's view state (no browser needed).
//!
//! Modules:
//! - `grid`: mailbox grid rows, filters and the virtual-scroll window.
//! - `charts`: the donut numbers.
//! - `settings`: options parsing and validation.
#![cfg(not(target_arch = "wasm32"))]

mod charts;
mod grid;
mod settings;
