//! View state: plain types and pure functions derived from the core's model, so they are tested
//! natively (`tests/it`) without a browser. Components only render these.
//!
//! A layer below `components` and `session`: it imports nothing of `pages`, `session`,
//! `components` or `platform` (checked by `tests/tidy.rs`), only the core.

pub mod bulk;
pub mod charts;
pub mod exchange;
pub mod field;
pub mod grid;
pub mod guide;
pub mod health;
pub mod settings;
