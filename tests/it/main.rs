// Host-only test code: the size rule (no std case mapping) is for code that ships in the wasm.
#![allow(clippy::disallowed_methods)]
//! Host tests of the UI's view state (no browser needed).
//!
//! Modules:
//! - `grid`: mailbox grid rows, filters and the virtual-scroll window.
//! - `charts`: the donut numbers.
//! - `exchange`: the Microsoft 365 checks' rows, counts and headline (issue 16).
//! - `guide`: the in-page guide's mailbox table and the one-click action it hands the panel.
//! - `health`: the health view's numbers and SVG geometry.
//! - `settings`: options parsing and validation.
//! - `field`: what the panel says while Dataverse is slow, unreachable or throttling (issue 11).
//! - `saved_run`: a bulk run saved for resuming reads back (and so do runs saved by earlier versions).
//! - `i18n`: the UI's labels from the message catalogue (issue 18).
//! - `bulk`: the bulk run's progress line and notes, in English and German (issue 18).
#![cfg(not(target_arch = "wasm32"))]

mod bulk;
mod charts;
mod exchange;
mod field;
mod grid;
mod guide;
mod health;
mod i18n;
mod saved_run;
mod settings;
