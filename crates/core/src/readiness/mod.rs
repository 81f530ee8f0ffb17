//! The readiness checklist: a total function from a [`Snapshot`] to a [`Report`].
//!
//! Each step of Microsoft's "Connect to Exchange Online" procedure is one [`StepId`]; each rule is a
//! plain function in [`rules`] that returns the step's result. Nothing here fails or panics: a rule
//! whose inputs could not be read says "unable to check" and why. The time ("now") is passed in
//! through [`EvaluateOptions`]; nothing here reads a clock.

pub mod checklist;
pub mod links;
pub mod report;
pub mod rules;

pub use checklist::{Checklist, ChecklistRow, RemedyRef, RowState, checklist, checklist_in};
pub use report::{Actor, Count, Finding, Remedy, Report, Severity, Status, StepId, StepResult, Subject};

use crate::collect::{CollectError, Snapshot};
use crate::i18n::Lang;
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
    /// The language of the report's texts (summaries, findings, count labels); English by default.
    pub lang: Lang,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        Self {
            now: None,
            stuck_after_secs: DEFAULT_STUCK_AFTER_SECS,
            delayed_after_secs: crate::health::DEFAULT_DELAYED_AFTER_SECS,
            lang: Lang::default(),
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
    let mut steps: Vec<StepResult> = rules::ALL.iter().map(|rule| rule(&ctx)).collect();
    for step in &mut steps {
        for finding in &mut step.findings {
            keep_remedy_if_it_writes(snapshot, finding, options.lang);
        }
    }
    Report { steps }
}

/// A remedy is offered only when its plan writes something (issue 11 item 4): the rules may build a
/// remedy from alerts older than the records ("Approve 2 mailboxes" for mailboxes already approved), or
/// for mailboxes the caller cannot change. The remedy keeps exactly the records its plan writes, so
/// its label counts real changes; when nothing would change, the button goes and the finding says who
/// must act instead.
fn keep_remedy_if_it_writes(snapshot: &Snapshot, finding: &mut Finding, lang: Lang) {
    let Some(remedy) = finding.remedy.take() else { return };
    let (action, selection) = crate::bulk::Action::from_remedy(&remedy);
    let plan = match crate::bulk::plan(snapshot, &selection, &action) {
        Ok(plan) => plan,
        Err(e) => {
            finding.message.push_str(&crate::tr!(lang, "remedy.cannot", error = e));
            return;
        }
    };
    let written: Vec<String> =
        plan.items.iter().filter(|i| i.entity == crate::bulk::Entity::Mailbox).map(|i| i.id.clone()).collect();
    if plan.items.is_empty() {
        let why = match (plan.blocked.first(), plan.skipped.first()) {
            (Some(b), _) => crate::tr!(lang, "remedy.blocked", reason = b.reason),
            (None, Some(s)) => crate::tr!(
                lang,
                "remedy.nothing-to-change",
                name = s.name,
                reason = s.reason,
                more = match plan.skipped.len() {
                    1 => String::new(),
                    n => crate::trn!(lang, "remedy.and-more", n - 1),
                },
                who = lang.t(match finding.actor {
                    Actor::ExchangeAdmin => "remedy.who.exchange-admin",
                    Actor::DynamicsAdmin => "remedy.who.dynamics-admin",
                })
            ),
            (None, None) => lang.t("remedy.nothing").to_owned(),
        };
        finding.message.push_str(&why);
        return;
    }
    finding.remedy = Some(match remedy {
        Remedy::ApplyDefaultSettings { .. } => Remedy::ApplyDefaultSettings { mailbox_ids: written },
        Remedy::ApproveMailboxes { .. } => Remedy::ApproveMailboxes { mailbox_ids: written },
        Remedy::TestAndEnable { this_org_only, .. } => Remedy::TestAndEnable { mailbox_ids: written, this_org_only },
        org_level => org_level,
    });
}

#[cfg(test)]
mod tests;
