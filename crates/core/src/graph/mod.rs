//! The Microsoft 365 side of a mailbox, read through Microsoft Graph (issue 16).
//!
//! Many mailboxes fail Test & Enable for reasons that live in Microsoft 365: no user with that
//! address, a disabled account, no Exchange Online plan, a mailbox not provisioned yet, a shared
//! mailbox used as a user, an address of another tenant. This module checks them for the admin with
//! the own sign-in's Graph token (audience `https://graph.microsoft.com`, delegated `User.Read.All`;
//! docs/oauth.md says why that scope and no other).
//!
//! # Layout
//!
//! - [`batch`]: Graph requests as values, JSON `$batch` of at most [`MAX_BATCH`] requests built and
//!   read with [`crate::json`], `@odata.nextLink` checked to stay on Graph.
//! - [`lookup`]: the sans-IO [`lookup::Lookup`] runner (told the time): batches, paging, `429` with
//!   `Retry-After` (whole batch or single sub-requests), and [`lookup::run`], the small async loop the
//!   shells drive it with.
//! - [`token`]: the Graph token, a refresh-token redemption with Graph's scope after the own sign-in.
//! - [`mod@verdict`]: one [`verdict::Verdict`] per mailbox with the fix and who acts, the join with the
//!   Dataverse side (a "no user found" alert + a user under another primary address → a bulk plan
//!   "update the address in Dynamics"), and the CSV for the Microsoft 365 admin.
//!
//! Facts (with sources) are in `crates/dataverse-sim/README.md`'s fidelity table; what no public
//! source settles is a switch of the simulator's Graph stand-in, and this module is right under each.

pub mod batch;
pub mod lookup;
pub mod token;
pub mod verdict;

pub use batch::{BatchItem, BatchResponse, GraphUser, MAX_BATCH, SubResponse};
pub use lookup::{ItemError, Lookup, LookupConfig, LookupError, LookupOutcome, Stats, Target, run};
pub use token::{graph_token_request, parse_graph_token};
pub use verdict::{
    MailboxCheck, Verdict, actor_label_in, address_fix_plan, checks, export_csv, export_csv_in, needs_check, targets,
    verdict,
};

/// Where Graph lives (its own origin: `connect-src` and the CSP name it).
pub const GRAPH_ORIGIN: &str = "https://graph.microsoft.com";

/// The v1.0 root every Graph request of this module is under.
pub const GRAPH_ROOT: &str = "https://graph.microsoft.com/v1.0";

/// The delegated permission the lookups need: `User.Read.All` is the least privileged one that
/// returns `accountEnabled`, `proxyAddresses`, `assignedPlans` and `provisionedPlans` of other users
/// (`User.ReadBasic.All` returns only the basic profile). It needs an administrator's consent.
pub const GRAPH_PERMISSION: &str = "https://graph.microsoft.com/User.Read.All";

/// The scopes of the Graph token request (a refresh-token redemption after the own sign-in): Entra
/// ID issues one access token per resource, so Graph gets its own token, never the org's.
pub fn graph_scope() -> String {
    format!("openid profile offline_access {GRAPH_PERMISSION}")
}

#[cfg(test)]
mod tests;
