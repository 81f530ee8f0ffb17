//! The bulk engine: plan → dry run → batched, verified execution → evidence → undo.
//!
//! Everything here is pure. [`plan()`] turns a [`Snapshot`](crate::collect::Snapshot), a [`Selection`] and
//! an [`Action`] into the exact field writes per record (reference §4), skipping no-ops and flagging
//! records the caller cannot change before anything is sent. [`Run`] executes a [`Plan`] as a sans-IO
//! state machine in the style of quinn-proto: the shell asks it for the next request
//! ([`Run::poll_request`]), hands back what came ([`Run::handle_response`]) and sleeps until
//! [`Run::poll_timeout`]; the time is always passed in as [`Millis`] since an epoch the caller chooses.
//! [`drive()`] is the small generic async loop that does exactly that with any
//! [`Transport`](crate::http::Transport) and [`Clock`].
//!
//! # Layout
//!
//! - `action`: [`Action`], [`Selection`], [`MailboxFilter`], [`Field`], [`Entity`].
//! - `plan`: [`plan()`], [`Plan`], [`PlanItem`], [`Change`], dry-run rows, [`Plan::undo`].
//! - `run`: [`Run`], [`RunConfig`], [`Journal`]: batching, throttling, retries, read-back, Test & Enable tracking.
//! - `progress`: [`Progress`], [`ItemOutcome`], [`ItemState`], [`Halt`].
//! - `drive`: [`drive()`], [`drive_with()`] (the callback sees the whole run, for saving its journal), [`Clock`], [`RunOutcome`].
//! - `evidence`: [`Evidence`] with CSV (formula-injection safe) and JSON export.
//! - `target`: [`Plan::bound_to`], [`Plan::check_target`], [`TargetError`]: a plan runs only against its org.
//!
//! # Invariants
//!
//! - A write is never resent once it is known to have applied (2xx, or the read-back shows it).
//! - An ambiguous outcome (connection dropped, 5xx on the envelope) is resolved by a read-back before
//!   any resend.
//! - An item is "succeeded" only when the read-back agrees with every field written.
//! - One failed operation in a batch is that item's failure; the rest of the batch stands.

mod action;
mod address;
mod drive;
pub(crate) mod evidence;
mod from_json;
mod plan;
mod progress;
mod run;
mod target;

pub use action::{Action, Entity, Field, MailboxFilter, Selection};
pub use address::AddressChange;
pub use drive::{Clock, Control, RunOutcome, drive, drive_with};
pub use evidence::{Evidence, EvidenceRow};
pub use plan::{Blocked, Change, DryRunRow, Plan, PlanError, PlanItem, Skipped, plan};
pub use progress::{Halt, ItemOutcome, ItemState, Progress, TestReport};
pub use run::{Journal, RequestId, ResumeError, Run, RunConfig};
pub use target::TargetError;

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A point in time: milliseconds since an epoch the caller chooses (Unix time, page load, a test's zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Millis(pub u64);

impl Millis {
    /// `self + d`, saturating.
    #[must_use]
    pub fn plus(self, d: Duration) -> Millis {
        Millis(self.0.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
    }

    /// The time from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: Millis) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// Who can approve mailbox email addresses (reference §5), shown when an approval is refused.
pub const WHO_CAN_APPROVE: &str = "Approving email addresses needs the System Administrator security role together with \
one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 \
\"Delegated Mailbox Approver\" security role. Ask someone who holds such a pair to approve, or have a Global or \
Exchange administrator assign you the Delegated Mailbox Approver role.";
