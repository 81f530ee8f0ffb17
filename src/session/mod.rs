//! The page's stateful services: what the pages make and the components are handed.
//!
//! - [`org`]: the org read ([`OrgRead`]: which org, its snapshot and checklist, `get` and
//!   `refetch`; only the latest read lands), and the checklist export.
//! - [`bulk_run`]: the bulk run ([`BulkRun`]: plan, start, resume, cancel, undo; the run's journal
//!   kept in `storage.session` so a closed panel or an expired session can resume it).
//! - [`sign_in`]: the own sign-in with Entra ID: the status bus, the tab's saved session, the
//!   `chrome.identity` and redirect flows ([`SignInSession`] for the sign-in form).
//! - [`tenant`]: the tenant read (issue 15): environments from the Global Discovery Service or the
//!   orgs opened in this browser session, read several at a time; conflicts and their fixes.
//! - [`exchange`]: the Microsoft 365 checks through Microsoft Graph ([`ExchangeCheck`], issue 16).
//! - [`bearer`]: how the page reaches the org ([`bearer::OrgTransport`]): the Dynamics session's
//!   cookies, or the shared signed-in transport that renews its token.
//!
//! Services use `crate::platform` (the browser) and `crate::state` (pure view models); components
//! name only the types re-exported here, never a submodule (checked by `tests/tidy.rs`).

pub mod bearer;
pub mod bulk_run;
pub mod exchange;
pub mod org;
pub mod sign_in;
pub mod tenant;

pub use bulk_run::{BulkPhase, BulkRun};
pub use exchange::ExchangeCheck;
pub use org::{Loaded, OrgProblem, OrgRead};
pub use sign_in::{SignInError, SignInSession, Status};
pub use tenant::{Phase, TenantSession};
