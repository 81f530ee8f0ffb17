//! The bulk errors' texts: [`PlanError`], [`TargetError`] and [`ResumeError`] render in a language with
//! `text(lang)` (catalogue keys `bulk.plan-error.*`, `bulk.target.*`, `bulk.resume.*`); their `Display`
//! is the English text from the catalogue, so each text has one copy.

use super::plan::PlanError;
use super::run::ResumeError;
use super::target::TargetError;
use crate::i18n::Lang;
use crate::tr;
use std::fmt;

impl PlanError {
    /// Why no plan could be made, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            PlanError::NoMailboxes => lang.t("bulk.plan-error.no-mailboxes").to_owned(),
            PlanError::NoOrgSettings => lang.t("bulk.plan-error.no-org-settings").to_owned(),
            PlanError::NoDefaultProfile => lang.t("bulk.plan-error.no-default-profile").to_owned(),
            PlanError::NoDefaultSettings(why) => tr!(lang, "bulk.plan-error.no-default-settings", why = why),
            PlanError::EmptyDefaultSettings => {
                tr!(lang, "bulk.plan-error.no-default-settings", why = lang.t("bulk.plan-error.empty-column"))
            }
            PlanError::UnknownProfile(id) => tr!(lang, "bulk.plan-error.unknown-profile", id = id),
            PlanError::SelectMailboxes => lang.t("bulk.plan-error.select-mailboxes").to_owned(),
            // Only ever a caller's mistake (a selection that does not fit the action).
            PlanError::BadSelection(why) => why.clone(),
        }
    }
}

impl TargetError {
    /// Why the plan is not run, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            TargetError::OtherOrg { planned, current } => {
                tr!(lang, "bulk.target.other-org", planned = planned, current = current)
            }
            TargetError::Unbound { current } => tr!(lang, "bulk.target.unbound", current = current),
            TargetError::NotAGuid { id, name } => tr!(lang, "bulk.target.not-a-guid", id = id, name = name),
        }
    }
}

impl ResumeError {
    /// Why the journal does not resume the plan, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ResumeError::PlanMismatch => lang.t("bulk.resume.plan-mismatch").to_owned(),
        }
    }
}

/// `Display` in English from the catalogue (one copy of each text), and `std::error::Error`.
macro_rules! english_error {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text(Lang::english()))
            }
        }

        impl std::error::Error for $ty {}
    )*};
}

english_error!(PlanError, TargetError, ResumeError);
