//! What a run reports: counts per state and one outcome per planned record.

use super::action::Field;
use super::millis::Millis;
use super::note::Note;
use crate::model::TestStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where one planned record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    /// Not sent yet (or to be resent: known not to have applied).
    Pending,
    /// In a request that has not been answered.
    Sent,
    /// The write may or may not have applied (connection dropped); a read-back decides.
    Unknown,
    /// The service accepted the write; the read-back has not confirmed it yet.
    Written,
    /// Verified; Test & Enable is running and tracked.
    Testing,
    /// Verified by read-back (and, for Test & Enable, the test succeeded).
    Succeeded,
    /// Refused, read back differently, or the test failed; see the outcome's error.
    Failed,
    /// Not written: not needed, stopped by an earlier refusal, or cancelled before sending.
    Skipped,
    /// Test & Enable did not finish within the configured time.
    Stuck,
}

impl ItemState {
    /// True when nothing more will happen to the item in this run.
    pub fn is_final(self) -> bool {
        matches!(self, ItemState::Succeeded | ItemState::Failed | ItemState::Skipped | ItemState::Stuck)
    }
}

/// The result of Test & Enable per direction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TestReport {
    /// `incomingemailstatus`.
    pub incoming: Option<TestStatus>,
    /// `outgoingemailstatus`.
    pub outgoing: Option<TestStatus>,
    /// `actstatus`.
    pub act: Option<TestStatus>,
    /// Still scheduled (not finished, or waiting for a retry).
    pub scheduled: bool,
    /// The mailbox's latest alert text, once read.
    pub alert: Option<String>,
}

impl TestReport {
    /// True when any direction failed.
    pub fn failed(&self) -> bool {
        [self.incoming, self.outgoing, self.act].contains(&Some(TestStatus::Failure))
    }
}

/// One planned record's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemOutcome {
    /// Record id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// State.
    pub state: ItemState,
    /// Write attempts sent.
    pub attempts: u32,
    /// HTTP status of the failure, if any.
    pub status: Option<u16>,
    /// Dataverse error code (`0x…`) of the failure, if any.
    pub code: Option<String>,
    /// What went wrong, in plain language (Dataverse's message, a read-back mismatch, a test failure).
    pub message: Option<Note>,
    /// Values read back, per field.
    pub observed: Vec<(Field, Value)>,
    /// Whether the write is known to have applied (even if the item failed later, e.g. its test).
    pub applied: bool,
    /// Test & Enable result, for actions that schedule it.
    pub test: Option<TestReport>,
    /// For approvals: `isemailaddressapprovedbyo365admin` ("approved by Microsoft 365 admin") as read
    /// back. `Some(false)` means the approval applied but left that flag unset; the item still
    /// succeeds (which flag the service requires is undocumented), and the run says so plainly.
    pub o365_admin_approved: Option<bool>,
}

/// Why a run stopped before finishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "halt")]
pub enum Halt {
    /// The session expired (401 or a sign-in redirect). Sign in again, then resume.
    SessionExpired {
        /// Status that revealed it.
        status: u16,
    },
    /// The admin cancelled.
    Cancelled,
    /// Every request failed at the transport (no HTTP answer: network down, connection reset, a
    /// redirect to a sign-in page the browser could not reach, or no answer before the request's
    /// deadline) for [`RunConfig::unreachable_after`](super::RunConfig::unreachable_after). Check the
    /// network and that the Dynamics tab is signed in, then resume: items whose outcome is unknown are
    /// read back first.
    Unreachable {
        /// Since when requests have been failing (the run's clock).
        since: Millis,
        /// The last transport error.
        error: String,
    },
}

/// Counts per state and every item's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    /// Items not sent yet.
    pub pending: usize,
    /// Items in unanswered requests.
    pub sent: usize,
    /// Items whose outcome a read-back must settle.
    pub unknown: usize,
    /// Items written, awaiting read-back.
    pub written: usize,
    /// Items verified, Test & Enable running.
    pub testing: usize,
    /// Items verified as succeeded.
    pub succeeded: usize,
    /// Items failed (with a reason).
    pub failed: usize,
    /// Items skipped.
    pub skipped: usize,
    /// Items whose test is stuck.
    pub stuck: usize,
    /// Requests sent so far.
    pub requests: u64,
    /// 429 answers received (handled by waiting; never an item failure).
    pub throttled: u64,
    /// Requests retried after a 5xx or a dropped connection.
    pub retries: u64,
    /// Approvals stopped after a CrmSecurity refusal, with the explanation of who can approve.
    pub approvals_stopped: Option<Note>,
    /// Approvals that applied but left "approved by Microsoft 365 admin" unset.
    pub o365_unset: usize,
    /// Set while the run is paused or after it stopped early.
    pub halt: Option<Halt>,
    /// Since when the run has been waiting for Dataverse (the run's clock), while requests are slow or
    /// failing: the panel says "waiting for Dataverse since …".
    pub waiting_since: Option<Millis>,
    /// Stuck items still watched at the slower pace.
    pub watching_stuck: usize,
    /// Every item, in plan order.
    pub items: Vec<ItemOutcome>,
}

impl Progress {
    /// True when every item is final.
    pub fn is_done(&self) -> bool {
        self.items.iter().all(|i| i.state.is_final())
    }
}
