//! One rule per step. Each is a plain function of the snapshot and the collection errors.

mod profile;

use super::report::{Status, StepId, StepResult};
use crate::collect::{CollectError, Part, Snapshot};

/// A rule: evaluates one step.
pub type Rule = fn(&Snapshot, &[CollectError]) -> StepResult;

/// Every rule, in the document's order.
pub const ALL: &[Rule] = &[profile::exchange_online_profile];

/// The "unable to check" result for `step` when `part` could not be read.
fn unable(step: StepId, part: Part, errors: &[CollectError]) -> StepResult {
    let why = errors
        .iter()
        .find(|e| e.part == part || e.part == Part::Caller)
        .map_or_else(|| "the data was not collected".to_owned(), |e| e.error.to_string());
    StepResult {
        step,
        status: Status::Unknown(why.clone()),
        summary: format!("Unable to check: {why}"),
        findings: Vec::new(),
    }
}
