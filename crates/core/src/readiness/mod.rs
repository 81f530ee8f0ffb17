//! The readiness checklist: a total function from a [`Snapshot`] to a [`Report`].
//!
//! Each step of Microsoft's "Connect to Exchange Online" procedure is one [`StepId`]; each rule is a
//! plain function in [`rules`] that returns the step's result. Nothing here fails or panics: a rule
//! whose inputs could not be read says "unable to check" and why. The time ("now") is passed in
//! through [`EvaluateOptions`]; nothing here reads a clock.

pub mod checklist;
pub mod report;
pub mod rules;

pub use checklist::{Checklist, ChecklistRow, RemedyRef, RowState, checklist};
pub use report::{Actor, Count, Finding, Remedy, Report, Severity, Status, StepId, StepResult, Subject};

use crate::collect::{CollectError, Snapshot};
use crate::model::Timestamp;

/// Default for [`EvaluateOptions::stuck_after_secs`]: a Test & Enable that is due but still scheduled
/// after 30 minutes is "stuck" (a test normally finishes within minutes; transient failures move the
/// due time forward, so they do not count).
pub const DEFAULT_STUCK_AFTER_SECS: i64 = 30 * 60;

/// Inputs of an evaluation beyond the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluateOptions {
    /// The current time. Without it, stuck tests cannot be told from running ones.
    pub now: Option<Timestamp>,
    /// How long a due test may stay scheduled before it counts as stuck.
    pub stuck_after_secs: i64,
    /// Health step: a live mailbox with no successful cycle for longer than this is "delayed"
    /// (the admin sets it; default [`crate::health::DEFAULT_DELAYED_AFTER_SECS`], one hour).
    pub delayed_after_secs: i64,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        Self {
            now: None,
            stuck_after_secs: DEFAULT_STUCK_AFTER_SECS,
            delayed_after_secs: crate::health::DEFAULT_DELAYED_AFTER_SECS,
        }
    }
}

impl EvaluateOptions {
    /// Options for an evaluation at `now`.
    pub fn at(now: Timestamp) -> Self {
        Self { now: Some(now), ..Self::default() }
    }
}

/// Evaluates every rule over `snapshot` without a current time (stuck tests are not detected).
/// `errors` are the collection failures, used to explain "unable to check" results.
pub fn evaluate(snapshot: &Snapshot, errors: &[CollectError]) -> Report {
    evaluate_with(snapshot, errors, &EvaluateOptions::default())
}

/// Evaluates every rule over `snapshot` with `options` (the current time, thresholds).
pub fn evaluate_with(snapshot: &Snapshot, errors: &[CollectError], options: &EvaluateOptions) -> Report {
    let ctx = rules::Context { snapshot, errors, options };
    let steps = rules::ALL.iter().map(|rule| rule(&ctx)).collect();
    Report { steps }
}

#[cfg(test)]
mod tests;
