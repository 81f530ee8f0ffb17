//! `syncready-core`: the pure, sans-IO domain of SyncReady.
//!
//! Nothing in this crate performs I/O, reads a clock or draws random numbers. It turns what the admin
//! wants into HTTP requests *as values* ([`http::Request`]), turns HTTP responses *as values*
//! ([`http::Response`]) into domain data, and evaluates readiness over that data. Shells (the browser
//! extension, the tests, the benchmarks) execute the requests through a [`http::Transport`].
//!
//! # Layout
//!
//! - [`http`]: request/response values and the `Transport` trait the shells implement.
//! - [`odata`]: building Web API queries (`$select`, `$filter` literals, paging headers) and decoding
//!   Dataverse error bodies and collections.
//! - [`wire`]: serde types that mirror the Web API JSON exactly (tolerant of extra fields).
//! - [`model`]: validated domain types built from wire types (`TryFrom`/`From`), with explicit
//!   `Unknown(n)` variants for option values this crate does not know.
//! - [`collect`]: gathers one [`collect::Snapshot`] of the org (caller, org email settings, profiles,
//!   mailboxes, the caller's roles and approval privilege, alerts of failing mailboxes), returning
//!   partial data plus the list of what could not be read ([`collect::CollectError`] per
//!   [`collect::Part`]).
//! - [`readiness`]: the checklist. [`readiness::evaluate_with`] is a total function from snapshot (and
//!   the current time, passed in) to a [`readiness::Report`] with one step per section of Microsoft's
//!   "Connect to Exchange Online" procedure; [`readiness::checklist()`] derives the view model.
//!   One rule per file in `readiness/rules/`.
//! - [`limits`]: one page's ledger of the service's throttling pauses, shared by its reads and bulk
//!   runs, and [`limits::Patient`], the transport adapter with which reads wait out `429 Retry-After`.
//! - [`health`]: after go-live, whether mailboxes keep synchronising (classification, item-level
//!   failures, the numbers behind the health view's plots and their CSV exports).
//! - [`graph`]: the Microsoft 365 side through Microsoft Graph (users, licences, mailbox provisioning),
//!   batched, paged and throttling-aware, joined with the Dataverse side (issue 16).
//! - [`oauth`]: signing in with Microsoft Entra ID (authorization code + PKCE) as values, and the
//!   bearer transport that renews tokens silently.
//! - [`encoding`]: base64url and percent-encoding, shared by `oauth` and `odata`.
//! - [`i18n`]: the message catalogues (`locales/<tag>.json`, embedded at build time) and [`i18n::Lang`],
//!   the language the checklist's and the UI's texts are rendered in (English fallback per key).
//! - [`tenant`]: tenant-wide readiness (issue 15): environments from the Global Discovery Service,
//!   several read at a time, one row each, and the conflicts between them with their fixes.
//! - [`order`]: stable sorting through one compiled sort (a size rule).
//! - [`error`]: the error enum that keeps the evidence (status, Dataverse code and message, raw body).
//!
//! # Tests and measurements
//!
//! Unit tests sit next to the code (`tests.rs` siblings, one `check` helper per concern with inline
//! `expect!` snapshots). `tests/it/` is the one integration binary: fixtures from `tests/data/` in the
//! real Web API shape served by an in-memory transport, checklist scenarios, and property tests.
//! `benches/collect_evaluate.rs` measures collect + evaluate on 50,000 mailboxes, natively and (as a
//! wasm-bindgen test) in wasm.
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
// Tests compare against std's case mapping on purpose; the shipped (non-test) build keeps the size rule.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod bulk;
pub mod collect;
pub mod encoding;
pub mod error;
pub mod graph;
pub mod health;
pub mod http;
pub mod i18n;
pub mod json;
pub mod limits;
pub mod model;
pub mod oauth;
pub mod odata;
pub mod order;
pub mod readiness;
pub mod tenant;
pub mod text;
pub mod wire;

pub use error::Error;
