//! Wire-level tests of the simulator: raw requests in, JSON text out.
//!
//! Modules (alphabetical after `support`):
//! - `support`: the in-process client (`tower::ServiceExt::oneshot` on `app()`) and helpers.
//! - `batch`: `$batch` multipart, change sets, Content-ID references, atomicity, continue-on-error.
//! - `faults`: scripted faults (status, latency, drops, throttling, session expiry) and the journal.
//! - `field`: issue 11's field failures: outages that drop every request in flight, the network down,
//!   the expiry redirect to an unreachable sign-in host, `x-ms-dop-hint`, the per-row write count.
//! - `filter`: the `$filter` subset and `$orderby`.
//! - `layout`: no two files of `src/` import each other, directly or in a circle (issue 19).
//! - `limits`: service protection limits: request count, execution time, concurrency, per user.
//! - `oauth`: the built-in authority: code flow with PKCE, refresh, revocation, bearer tokens, CORS.
//! - `paging`: `Prefer: odata.maxpagesize`, `@odata.nextLink`, `$skiptoken`, `$top`.
//! - `query`: `WhoAmI`, entity sets, `$select`, errors, etags, annotations, `$expand`, `$count`.
//! - `scenarios`: what each scenario builder seeds.
//! - `session`: `/main.aspx`, the session cookie, 401/302 when it is missing or expired, loud 404s.
//! - `shell`: the client shells the in-page guide meets: Unified Interface (pushState) and the legacy settings frame.
//! - `sync`: synchronization cycles over virtual time: monitoring columns, drift, item failures (issue 17).
//! - `test_enable`: the Test & Enable job on the virtual clock: outcomes, alerts, retries, self-approval.
//! - `tls`: `serve()` over TLS and plain HTTP on port 0.
//! - `write`: PATCH/POST/PUT/DELETE, conditional headers, binds, validation, approval permissions, roles and privileges.

mod batch;
mod faults;
mod field;
mod filter;
mod layout;
mod limits;
mod oauth;
mod paging;
mod query;
mod scenarios;
mod session;
mod shell;
mod support;
mod sync;
mod test_enable;
mod tls;
mod write;
