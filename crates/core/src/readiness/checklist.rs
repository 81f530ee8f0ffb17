//! The checklist view model: one row per step in the document's order, derived from a [`Report`] by
//! a pure function, so the UI only renders.

use super::report::{Count, Remedy, Report, Severity, Status, StepId};
use serde::Serialize;

/// What the checklist shows for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowState {
    /// Nothing left to do.
    Done,
    /// Something to fix in this step.
    ActionNeeded,
    /// Something to fix, but an earlier step it depends on fails; fix that first.
    Blocked,
    /// The data could not be read.
    UnableToCheck,
}

impl RowState {
    /// Stable key (`done`, `action-needed`, `blocked`, `unable-to-check`).
    pub fn key(self) -> &'static str {
        match self {
            RowState::Done => "done",
            RowState::ActionNeeded => "action-needed",
            RowState::Blocked => "blocked",
            RowState::UnableToCheck => "unable-to-check",
        }
    }
}

/// One row of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistRow {
    /// The step.
    pub step: StepId,
    /// [`StepId::key`].
    pub key: &'static str,
    /// [`StepId::title`].
    pub title: &'static str,
    /// [`StepId::doc_link`].
    pub doc_link: &'static str,
    /// Done, action needed, blocked or unable to check.
    pub state: RowState,
    /// The step's summary (for "unable to check", the reason).
    pub summary: String,
    /// Live counts.
    pub counts: Vec<Count>,
    /// The one-click fixes of the step's findings, without duplicates, in finding order.
    pub remedies: Vec<Remedy>,
    /// Failing earlier steps that block this one.
    pub blocked_by: Vec<StepId>,
    /// Findings that block synchronization.
    pub errors: usize,
    /// Findings that should be fixed.
    pub warnings: usize,
}

/// The whole checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// Rows in the document's order.
    pub rows: Vec<ChecklistRow>,
    /// How many rows are done.
    pub done: usize,
}

/// Derives the checklist from a report.
pub fn checklist(report: &Report) -> Checklist {
    let failing = |id: StepId| report.step(id).is_some_and(|s| s.status == Status::Fail);
    let rows: Vec<ChecklistRow> = report
        .steps
        .iter()
        .map(|s| {
            let blocked_by: Vec<StepId> = s.step.prerequisites().iter().copied().filter(|p| failing(*p)).collect();
            let state = match &s.status {
                Status::Pass => RowState::Done,
                Status::Unknown(_) => RowState::UnableToCheck,
                Status::Warn | Status::Fail if !blocked_by.is_empty() => RowState::Blocked,
                Status::Warn | Status::Fail => RowState::ActionNeeded,
            };
            let mut remedies: Vec<Remedy> = Vec::new();
            for r in s.findings.iter().filter_map(|f| f.remedy.as_ref()) {
                if !remedies.contains(r) {
                    remedies.push(r.clone());
                }
            }
            let severity = |sev: Severity| s.findings.iter().filter(|f| f.severity == sev).count();
            ChecklistRow {
                step: s.step,
                key: s.step.key(),
                title: s.step.title(),
                doc_link: s.step.doc_link(),
                state,
                summary: s.summary.clone(),
                counts: s.counts.clone(),
                remedies,
                blocked_by: if state == RowState::Blocked { blocked_by } else { Vec::new() },
                errors: severity(Severity::Error),
                warnings: severity(Severity::Warning),
            }
        })
        .collect();
    let done = rows.iter().filter(|r| r.state == RowState::Done).count();
    Checklist { rows, done }
}
