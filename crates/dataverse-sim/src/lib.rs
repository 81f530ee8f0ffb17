//! A faithful Dataverse Web API simulator for SyncReady's tests and demo.
//!
//! It plays one or more Dynamics 365 orgs (`https://<org>.crm.dynamics.com`) with the tables that
//! server-side synchronization (SSS) with Exchange Online depends on: `organizations`,
//! `emailserverprofiles`, `mailboxes`, `systemusers`, `queues`, `roles`, `privileges`, `tracelogs`.
//! It follows `shared/reference/dataverse.md`: confirmed facts are behaviour, unconfirmed ones are
//! switches in [`Quirks`]. It is an independent oracle: it does not depend on the client crate and
//! renders JSON from its own store.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use dataverse_sim::{Scenario, Sim};
//! let sim = Sim::builder().org("contoso", Scenario::demo()).build();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! dataverse_sim::serve(listener, sim, false, std::future::pending()).await
//! # }
//! ```
//!
//! # Layout
//!
//! No two files import each other, directly or in a circle (`tests/it/layout.rs` checks it). From the
//! edge inwards:
//!
//! - `http`: the thin adapter ([`app`], [`serve`]): axum in, plain `Req`/`Resp` values, axum out;
//!   TLS with a self-signed rcgen certificate.
//! - `message`: `Req` and `Resp`, an HTTP request and response as plain data (a leaf).
//! - `ops`: the engine's entry and router (`ops/mod.rs`: `process` applies faults, sessions, limits
//!   and the journal; `route` returns a `Routed` answer), then one module per operation:
//!   `api` (the Web API dispatcher below `/api/data/v9.x/`, which `$batch` parts go through too),
//!   `call` (`Ctx`, `Call`, `Outcome`, the resource path: what every operation takes and returns),
//!   `page` (`/main.aspx`) and `shell` (the Unified Interface and legacy Advanced Settings shells and
//!   frame pages), `static_files` (`/syncready/`), `whoami`, `retrieve` (GET of sets and rows,
//!   paging), `navigation` (properties and navigation properties below a row), `functions`
//!   (`RetrieveUserPrivileges…`), `write` (PATCH/POST/PUT/DELETE, binds, conditions), `batch`
//!   (`$batch`), `approval` and `security` (the approval permission model, privileges),
//!   `test_enable` (the background Test & Enable job), `sync` (synchronization cycles), `authority`
//!   (the OAuth endpoints), `discovery` (the Global Discovery Service stand-in, and the answers of
//!   orgs that refuse the caller or are disabled; issue 15), `prefer`. A new endpoint is a new file in
//!   `ops/` plus a branch in `route`.
//! - `sim`: the state engine handle ([`Sim`], [`SimBuilder`]) and the shared state.
//! - `tenant`: several orgs of one tenant (issue 15): how discovery lists each ([`Environment`]);
//!   `tenant_setup`: [`Sim::set_environment`], [`Sim::copy_org`] (same record ids),
//!   [`Sim::share_addresses`], [`Sim::set_act`].
//! - `scenario`: [`Scenario`] builders that seed one org deterministically (splitmix64, no `rand`),
//!   one function per table (`Seeder`).
//! - `store`: typed rows per table, one store per org, plus facts only Exchange/Entra ID know.
//! - `schema`: tables, columns, types, option values, read-only flags.
//! - `relations`: collection-valued navigation properties and the rows each holds.
//! - `odata`: `$filter` and `$orderby`.
//! - `render`, `json`: Web API JSON with property order kept (annotations before their property).
//! - `limits`: service protection limits; `faults`: scripted [`Fault`]s; `journal`: [`JournalEntry`];
//!   `oauth`: tokens and codes of the built-in authority.
//! - `error`: Dataverse error bodies; `ids`: splitmix64 and GUIDs; `url`: percent-encoding.
//! - `graph`: the Microsoft Graph stand-in ([`GraphSim`]) for the Exchange-side checks (issue 16).
//! - `time`: the virtual or scaled clock ([`ClockMode`]) and date rendering.
//! - `config`: [`Config`], [`Quirks`], [`Limits`], [`TestEnableTiming`].
//!
//! # Unconfirmed behaviour (\[U\]) and its switches
//!
//! Every switch lives in [`Quirks`] (defaults in brackets):
//! - `expired_session_redirect` \[false\]: 302 to login.microsoftonline.com instead of 401 (§11).
//! - `reject_read_only_writes` \[true\]: 400 for read-only columns in a write (§9.5).
//! - `sync_approval_with_owner` \[true\]: approval copied between mailbox and user/queue (§4, §13.3).
//! - `test_resets_statuses` \[true\]: scheduling Test & Enable resets statuses to Not Run (§8).
//! - `exchange_online_type_name` \["Exchange Online"\]: stored `emailservertypename` (§2.2).
//! - `newer_approval_wording` \[false\], `approval_denied_status` \[403\]: approval refusals (§5).
//! - `ratelimit_headers` \[true\]: `x-ms-ratelimit-*` debugging headers (§10).
//! - `wrap_payload_errors` \[true\]: 0x80048d19 wrapping of payload errors (§9.5).
//! - `self_approval_on_test` \[true\]: Test & Enable approves the owner's own address (§4).
//! - `self_approval_without_privilege` \[false\]: a direct approval of one's own mailbox without the
//!   approval privilege is refused (§5).
//! - `crm_security_code_in_message` \[false\]: approval refusals carry 0x80040256 as their code, or
//!   only in the message under an outer 0x80040216 (§5, §13.4).
//! - `odata_bind_null` \[Refused\]: `"<nav>@odata.bind": null` is refused, ignored or clears (§9.5).
//! - `o365_approval` \[WithApproval\]: "approved by Microsoft 365 admin" set with the approval, or left
//!   unset for listed addresses, whose tests then fail (§1.2).
//! - `reset_approval_on_address_change` \[true\]: a changed address goes back to Pending (§1.3, weak).
//! - `async_operation_rows` \[false\]: an `asyncoperations` row (type 52) per test (§7).
//!
//! Timings of Test & Enable ([`TestEnableTiming`]) and the 401 body's error code (0x80072182) are
//! also unconfirmed.
#![warn(missing_docs)]

mod config;
mod error;
mod faults;
mod graph;
mod graph_seed;
mod http;
mod ids;
mod journal;
mod json;
mod limits;
mod message;
mod oauth;
mod odata;
mod ops;
mod relations;
mod render;
mod scenario;
mod schema;
mod sim;
mod store;
mod tenant;
mod tenant_setup;
mod time;
mod url;

pub use config::{BindNull, Config, Limits, O365Approval, OperationCost, Quirks, TestEnableTiming};
pub use faults::{Fault, FaultKind};
pub use graph::{EXCHANGE_PLAN_ID, GraphConfig, GraphFault, GraphSim, GraphStats, GraphUserSpec};
pub use http::{app, serve};
pub use journal::JournalEntry;
pub use scenario::{CallerRoles, Scenario};
pub use sim::{OrgIds, Sim, SimBuilder};
pub use store::ExchangeFacts;
pub use tenant::Environment;
pub use time::ClockMode;
