//! View state of a bulk run: labels for actions and remedies, the progress bar, and what is kept in
//! `storage.session` so a reopened panel can resume.

use syncready_core::bulk::{Action, Progress, Selection};
use syncready_core::i18n::Lang;
use syncready_core::readiness::Remedy;
use syncready_core::{tr, trn};

/// Button label for a checklist remedy, in English ([`remedy_label_in`]).
pub fn remedy_label(remedy: &Remedy) -> String {
    remedy_label_in(remedy, Lang::english())
}

/// Button label for a checklist remedy in `lang` (catalogue keys `ui.remedy.*`).
pub fn remedy_label_in(remedy: &Remedy, lang: Lang) -> String {
    match remedy {
        Remedy::SetDefaultProfile { .. } => lang.t("ui.remedy.set-default-profile").to_owned(),
        Remedy::ActivateProfile { .. } => lang.t("ui.remedy.activate-profile").to_owned(),
        Remedy::SetOrgDefaults { .. } => lang.t("ui.remedy.set-org-defaults").to_owned(),
        Remedy::ApplyDefaultSettings { mailbox_ids } => {
            lang.plural("ui.remedy.apply-default-settings", mailbox_ids.len(), &[])
        }
        Remedy::ApproveMailboxes { mailbox_ids } => lang.plural("ui.remedy.approve", mailbox_ids.len(), &[]),
        Remedy::TestAndEnable { mailbox_ids, this_org_only: true } => {
            lang.plural("ui.remedy.test-and-enable-this-org", mailbox_ids.len(), &[])
        }
        Remedy::TestAndEnable { mailbox_ids, .. } => {
            lang.plural("ui.remedy.test-and-enable", mailbox_ids.len(), &[])
        }
    }
}

/// Title of an action, for the preview and the results, in English ([`action_title_in`]).
pub fn action_title(action: &Action) -> &'static str {
    action_title_in(action, Lang::english())
}

/// Title of an action in `lang` (catalogue keys `ui.action.*`).
pub fn action_title_in(action: &Action, lang: Lang) -> &'static str {
    lang.t(match action {
        Action::Approve => "ui.action.approve",
        Action::Reject => "ui.action.reject",
        Action::ApplyDefaultSettings { .. } => "ui.action.apply-default-settings",
        Action::EditProfileAndMethods { .. } => "ui.action.edit-profile-and-methods",
        Action::TestAndEnable { .. } => "ui.action.test-and-enable",
        Action::TestAndEnableProfile { .. } => "ui.action.test-and-enable-profile",
        Action::SetOrgDefaultProfile { .. } => "ui.action.set-org-default-profile",
        Action::SetOrgDefaultEmailSettings { .. } => "ui.action.set-org-default-email-settings",
        Action::SetApprovalRequirement { .. } => "ui.action.set-approval-requirement",
        Action::ActivateProfile { .. } => "ui.action.activate-profile",
        Action::SetEmailAddress { .. } => "ui.action.set-email-address",
        Action::Undo => "ui.action.undo",
    })
}

/// A requested bulk action, before planning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRequest {
    /// What to do.
    pub action: Action,
    /// To which records.
    pub selection: Selection,
}

impl BulkRequest {
    /// The request a checklist remedy stands for.
    pub fn from_remedy(remedy: &Remedy) -> Self {
        let (action, selection) = Action::from_remedy(remedy);
        Self { action, selection }
    }
}

/// The plain note shown after approvals that applied but left "approved by Microsoft 365 admin"
/// (`isemailaddressapprovedbyo365admin`) unset, in `lang`, or `None` when there are none.
pub fn o365_unset_note(progress: &Progress, lang: Lang) -> Option<String> {
    let n = progress.o365_unset;
    (n > 0).then(|| trn!(lang, "bulk.o365-unset", n))
}

/// The progress bar's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Items in a final state.
    pub done: usize,
    /// All items.
    pub total: usize,
    /// Whole percent, 0–100.
    pub percent: u32,
    /// One line, e.g. "120 of 300 done: 118 succeeded, 2 failed".
    pub label: String,
}

/// Summarises `progress` for the bar, its label in `lang`.
pub fn bar(progress: &Progress, lang: Lang) -> Bar {
    let total = progress.items.len();
    let done = progress.succeeded + progress.failed + progress.skipped + progress.stuck;
    let percent = (done * 100).checked_div(total).map_or(100, |p| u32::try_from(p).unwrap_or(100));
    let mut parts = vec![tr!(lang, "bulk.bar.succeeded", n = progress.succeeded)];
    for (n, key) in [
        (progress.failed, "bulk.bar.failed"),
        (progress.stuck, "bulk.bar.stuck"),
        (progress.skipped, "bulk.bar.skipped"),
        (progress.testing, "bulk.bar.testing"),
        (progress.pending + progress.sent + progress.written + progress.unknown, "bulk.bar.in-progress"),
    ] {
        if n > 0 {
            parts.push(tr!(lang, key, n = n));
        }
    }
    let label = tr!(lang, "bulk.bar.label", done = done, total = total, parts = parts.join(", "));
    Bar { done, total, percent, label }
}

/// What the panel keeps in `storage.session` (memory only) while a run is going, so a reopened
/// panel can resume it without repeating applied writes: the core's own versioned format.
pub use syncready_core::bulk::SavedRun;

/// Storage key of the saved run for `org`.
pub fn saved_run_key(org: &str) -> String {
    format!("syncready.run.{org}")
}
