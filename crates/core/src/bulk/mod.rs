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
//! - `millis`: [`Millis`], the time the run is told.
//! - `plan`: [`plan()`], [`Plan`], [`PlanItem`], [`Change`], dry-run rows.
//! - `note`: [`Note`], the engine's texts as data (skip and block reasons, warnings, item outcomes),
//!   rendered in a language with [`Note::text`]; English through `Display`. `error_text`: the same for
//!   [`PlanError`], [`TargetError`] and [`ResumeError`].
//! - `run`: [`Run`], [`RunConfig`], [`Journal`], [`RequestId`]: the sans-IO state machine (its parts: timers,
//!   slots, concurrency, ledger, batches, verify, journal).
//! - `progress`: [`Progress`], [`ItemOutcome`], [`ItemState`], [`Halt`].
//! - `drive`: [`drive()`], [`drive_with()`] (the callback sees the whole run, for saving its journal), [`Clock`], [`RunOutcome`].
//! - `evidence`: [`Evidence::of`] a plan and its progress, with CSV (formula-injection safe) and JSON export.
//! - `from_json`: readers of format 1 saved runs (serde's output of earlier versions).
//! - `saved`: [`SavedRun`], the run the panel keeps for resuming, in its own versioned format (reads format 1 too).
//! - `undo`: [`Plan::undo`], the plan that restores what a run changed, from its evidence.
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
mod error_text;
pub(crate) mod evidence;
mod from_json;
mod millis;
mod note;
mod plan;
/// The plan tests' fixtures (a mailbox, a snapshot), for other modules' tests.
#[cfg(test)]
pub(crate) use plan::tests as plan_fixtures;
mod progress;
mod run;
mod saved;
mod target;
mod undo;

pub use action::{Action, AddressChange, Entity, Field, MailboxFilter, Selection};
pub use drive::{Clock, Control, RunOutcome, drive, drive_with};
pub use evidence::{Evidence, EvidenceRow};
pub use millis::Millis;
pub use note::{Mismatch, Note};
pub use plan::{Blocked, Change, DryRunRow, Plan, PlanError, PlanItem, Skipped};
pub use progress::{Halt, ItemOutcome, ItemState, Progress, TestReport};
pub use run::{Journal, RequestId, ResumeError, Run, RunConfig};
pub use saved::{SAVED_RUN_FORMAT, SavedRun};
pub use target::TargetError;

/// Plans `action` over `selection` against what `snapshot` says: the exact field writes, what is
/// skipped and what is blocked, with the reasons. Pure; the dry-run table is its output.
pub fn plan(snapshot: &crate::collect::Snapshot, selection: &Selection, action: &Action) -> Result<Plan, PlanError> {
    match action {
        Action::SetEmailAddress { changes } => address::plan_addresses(snapshot, action, changes),
        _ => plan::plan(snapshot, selection, action),
    }
}
