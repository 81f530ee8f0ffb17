//! The readiness checklist: a total function from a [`Snapshot`] to a [`Report`].
//!
//! Each step of Microsoft's "Connect to Exchange Online" procedure is one [`StepId`]; each rule is a
//! plain function in [`rules`] that returns the step's result. Nothing here fails or panics: a rule
//! whose inputs could not be read says "unable to check" and why.

pub mod report;
pub mod rules;

pub use report::{Actor, Finding, Remedy, Report, Severity, Status, StepId, StepResult, Subject};

use crate::collect::{CollectError, Snapshot};

/// Evaluates every rule over `snapshot`. `errors` are the collection failures, used to explain
/// "unable to check" results.
pub fn evaluate(snapshot: &Snapshot, errors: &[CollectError]) -> Report {
    let steps = rules::ALL.iter().map(|rule| rule(snapshot, errors)).collect();
    Report { steps }
}

#[cfg(test)]
mod tests;
