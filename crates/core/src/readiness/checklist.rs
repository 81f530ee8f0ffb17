//! The checklist view model: one row per step in the document's order, derived from a [`Report`] by
//! a pure function, so the UI only renders.

use super::report::{Count, Remedy, Report, Severity, Status, StepId};
use crate::i18n::Lang;
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

/// A remedy of a step, by reference to the finding that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RemedyRef {
    /// [`Remedy::key`], e.g. `approve-mailboxes`.
    pub key: &'static str,
    /// Index of the finding in the step's `findings`.
    pub finding: usize,
    /// How many mailboxes it acts on (0 for org and profile fixes).
    pub mailboxes: usize,
}

impl RemedyRef {
    /// The remedy itself, from the step result this row was derived from.
    pub fn resolve<'a>(&self, step: &'a super::report::StepResult) -> Option<&'a Remedy> {
        step.findings.get(self.finding).and_then(|f| f.remedy.as_ref())
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
    /// The one-click fixes of the step's findings, without duplicates, in finding order. Each points
    /// at its finding instead of copying the remedy (a remedy can hold tens of thousands of ids).
    pub remedies: Vec<RemedyRef>,
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

fn mailbox_count(r: &Remedy) -> usize {
    match r {
        Remedy::ApplyDefaultSettings { mailbox_ids }
        | Remedy::ApproveMailboxes { mailbox_ids }
        | Remedy::TestAndEnable { mailbox_ids, .. } => mailbox_ids.len(),
        Remedy::SetDefaultProfile { .. } | Remedy::ActivateProfile { .. } | Remedy::SetOrgDefaults { .. } => 0,
    }
}

/// Derives the checklist from a report, with English step titles.
pub fn checklist(report: &Report) -> Checklist {
    checklist_in(report, Lang::english())
}

/// Derives the checklist from a report, with step titles in `lang` (the report's own texts are in
/// the language it was evaluated in: [`super::EvaluateOptions::lang`]).
pub fn checklist_in(report: &Report, lang: Lang) -> Checklist {
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
            let mut remedies: Vec<RemedyRef> = Vec::new();
            for (i, r) in s.findings.iter().enumerate().filter_map(|(i, f)| f.remedy.as_ref().map(|r| (i, r))) {
                let seen = remedies.iter().any(|k| k.key == r.key() && k.resolve(s) == Some(r));
                if !seen {
                    remedies.push(RemedyRef { key: r.key(), finding: i, mailboxes: mailbox_count(r) });
                }
            }
            let severity = |sev: Severity| s.findings.iter().filter(|f| f.severity == sev).count();
            ChecklistRow {
                step: s.step,
                key: s.step.key(),
                title: s.step.title_in(lang),
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
