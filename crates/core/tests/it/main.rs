//! The one integration-test binary of `syncready-core`.
//!
//! Modules:
//! - `support`: an in-memory fake [`Transport`](syncready_core::http::Transport) serving fixtures from
//!   `tests/data/`, and a minimal executor (the core's futures never wait on anything real).
//! - `decode`: fixture-driven decoding of real Web API shapes, including what Dataverse does *not* send
//!   (an HTML sign-in page, truncated JSON, a 200 with an error body).
//! - `collect`: `collect::snapshot` against the fake org: requests sent, paging, partial failures.
//! - `checklist`: collection → evaluation → checklist, written out per scenario.
//! - `props`: property tests: the page parser, the settings-XML parser and the date parser never panic.
//! - `bulk_props`: property tests of the `$batch` codec (decoder total, encode/decode round trip).
//! - `bulk_chaos`: 5,000 approvals under injected faults and a session expiry; resumed from the journal.
//! - `bulk_sim`: the bulk engine against the in-process simulator (transport, virtual clock, scenarios).
//! - `fidelity`: issue 11's fidelity cases against the simulator under each setting of its switches:
//!   undo of empty lookups, the "approved by Microsoft 365 admin" flag, remedies that change nothing.
//! - `health_sim`: the health step against the simulator (drift over virtual time, request budget).
//! - `tenant_sim`: issue 15 against the simulator: discovery and its token audience, parallel reads of
//!   several environments with one refusing, the conflict report, fixes that write to one environment.
// Host-only test code: the wasm size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods)]

#[cfg(not(target_arch = "wasm32"))]
mod bulk_chaos;
#[cfg(not(target_arch = "wasm32"))]
mod bulk_props;
#[cfg(not(target_arch = "wasm32"))]
mod bulk_sim;
mod checklist;
mod collect;
mod decode;
#[cfg(not(target_arch = "wasm32"))]
mod fidelity;
mod graph_sim;
mod health_sim;
#[cfg(not(target_arch = "wasm32"))]
mod props;
mod support;
#[cfg(not(target_arch = "wasm32"))]
mod tenant_sim;
