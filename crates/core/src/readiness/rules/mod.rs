//! One rule per step. Each is a plain function of a [`Context`]: the snapshot, the collection errors
//! and the evaluation options.

mod alerts;
mod approval;
mod health;
mod mailboxes;
mod org_defaults;
mod profile;
mod test_results;

pub use alerts::{AlertCause, decode_alert};

use super::EvaluateOptions;
use super::report::{Count, Finding, Status, StepId, StepResult};
use crate::collect::{CollectError, Part, Snapshot};
use crate::i18n::Lang;
use crate::model::{Mailbox, Profile, RecordState};
use crate::tr;

/// What a rule sees.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The collected data.
    pub snapshot: &'a Snapshot,
    /// What could not be collected.
    pub errors: &'a [CollectError],
    /// Time and thresholds.
    pub options: &'a EvaluateOptions,
}

/// A rule: evaluates one step.
pub type Rule = fn(&Context<'_>) -> StepResult;

/// Every rule, in the document's order.
pub const ALL: &[Rule] = &[
    profile::exchange_online_profile,
    org_defaults::org_email_defaults,
    mailboxes::mailbox_configuration,
    approval::mailbox_approval,
    test_results::test_and_enable,
    alerts::mailbox_alerts,
    health::keep_synchronising,
];

impl Context<'_> {
    /// The language of the report.
    fn lang(&self) -> Lang {
        self.options.lang
    }

    /// Why `part` is missing: its own error, else the caller's, else "not collected".
    fn why_missing(&self, part: Part) -> String {
        why_missing(part, self.errors, self.lang())
    }

    /// The "unable to check" result for `step` when `part` could not be read.
    fn unable(&self, step: StepId, part: Part) -> StepResult {
        unable_because(step, self.why_missing(part), self.lang())
    }
}

/// Why `part` is missing: its own error, else the caller's, else "not collected".
fn why_missing(part: Part, errors: &[CollectError], lang: Lang) -> String {
    errors
        .iter()
        .find(|e| e.part == part)
        .or_else(|| errors.iter().find(|e| e.part == Part::Caller))
        .map_or_else(|| lang.t("unable.not-collected").to_owned(), |e| e.error.to_string())
}

/// The "unable to check" result for `step`, for the reason `why`.
fn unable_because(step: StepId, why: String, lang: Lang) -> StepResult {
    StepResult {
        step,
        summary: tr!(lang, "unable.summary", why = why),
        status: Status::Unknown(why),
        findings: Vec::new(),
        counts: Vec::new(),
    }
}

/// A result whose status follows from its findings.
fn result(step: StepId, summary: String, findings: Vec<Finding>, counts: Vec<Count>) -> StepResult {
    StepResult { step, status: Status::from_findings(&findings), summary, findings, counts }
}

/// Active Exchange Online profiles.
fn active_exo(snap: &Snapshot) -> Vec<&Profile> {
    snap.profiles.iter().flatten().filter(|p| p.is_exchange_online() && p.state == RecordState::Active).collect()
}

/// The profile mailboxes should use: the org default when it is an active Exchange Online profile,
/// else the first active Exchange Online profile.
fn target_profile(snap: &Snapshot) -> Option<&Profile> {
    let exo = active_exo(snap);
    let default = snap.org.as_ref().and_then(|o| o.default_profile.as_deref());
    exo.iter().find(|p| Some(p.id.as_str()) == default).or_else(|| exo.first()).copied()
}

/// Active user and queue mailboxes (forward and inactive ones are reported apart).
fn in_scope(snap: &Snapshot) -> impl Iterator<Item = &Mailbox> {
    snap.mailboxes.iter().flatten().filter(|m| m.is_in_scope())
}

fn ids<'a>(mailboxes: impl IntoIterator<Item = &'a Mailbox>) -> Vec<String> {
    mailboxes.into_iter().map(|m| m.id.clone()).collect()
}

/// "1 mailbox", "3 mailboxes": the counted message `key` (`key.one`, `key.other`) for `n`.
fn count_of(lang: Lang, n: usize, key: &str) -> String {
    lang.plural(key, n, &[])
}
