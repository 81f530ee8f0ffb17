//! Types of a readiness report.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A step of the "Connect to Exchange Online" procedure, in the document's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    /// "Verify you have the profile: Microsoft Exchange Online" (present, active, default).
    ExchangeOnlineProfile,
    /// "Configure default email processing and synchronization": channel, default profile, default methods.
    OrgEmailDefaults,
    /// "Configure mailboxes": every active user and queue mailbox on the profile with SSS methods.
    MailboxConfiguration,
    /// "Approve email": approval toggles, unapproved mailboxes, whether the caller can approve.
    MailboxApproval,
    /// "Test configuration of mailboxes": test results per direction, disabled, stuck.
    TestAndEnable,
    /// Alerts of failing mailboxes, decoded into cause, fix and who must act.
    MailboxAlerts,
    /// After go-live: mailboxes keep synchronising (monitoring columns, item-level failures).
    KeepSynchronising,
}

impl StepId {
    /// Every step, in the document's order.
    pub const ALL: [StepId; 7] = [
        StepId::ExchangeOnlineProfile,
        StepId::OrgEmailDefaults,
        StepId::MailboxConfiguration,
        StepId::MailboxApproval,
        StepId::TestAndEnable,
        StepId::MailboxAlerts,
        StepId::KeepSynchronising,
    ];

    /// Stable identifier used in `data-testid` hooks and exports.
    pub fn key(self) -> &'static str {
        match self {
            StepId::ExchangeOnlineProfile => "exchange-online-profile",
            StepId::OrgEmailDefaults => "org-email-defaults",
            StepId::MailboxConfiguration => "mailbox-configuration",
            StepId::MailboxApproval => "mailbox-approval",
            StepId::TestAndEnable => "test-and-enable",
            StepId::MailboxAlerts => "mailbox-alerts",
            StepId::KeepSynchronising => "keep-synchronising",
        }
    }

    /// Title as the checklist shows it, in English ([`StepId::title_in`] for another language).
    pub fn title(self) -> &'static str {
        self.title_in(Lang::english())
    }

    /// Title as the checklist shows it, in `lang` (catalogue key `step.<key>.title`).
    pub fn title_in(self, lang: Lang) -> &'static str {
        lang.t(match self {
            StepId::ExchangeOnlineProfile => "step.exchange-online-profile.title",
            StepId::OrgEmailDefaults => "step.org-email-defaults.title",
            StepId::MailboxConfiguration => "step.mailbox-configuration.title",
            StepId::MailboxApproval => "step.mailbox-approval.title",
            StepId::TestAndEnable => "step.test-and-enable.title",
            StepId::MailboxAlerts => "step.mailbox-alerts.title",
            StepId::KeepSynchronising => "step.keep-synchronising.title",
        })
    }

    /// Microsoft documentation for the step (anchors as in [`super::links`]).
    pub fn doc_link(self) -> &'static str {
        use super::links;
        match self {
            StepId::ExchangeOnlineProfile => links::VERIFY_PROFILE,
            StepId::OrgEmailDefaults => links::CONFIGURE_DEFAULTS,
            StepId::MailboxConfiguration => links::CONFIGURE_MAILBOXES,
            StepId::MailboxApproval => links::APPROVE_EMAIL,
            StepId::TestAndEnable => links::TEST_MAILBOXES,
            StepId::MailboxAlerts | StepId::KeepSynchronising => links::TROUBLESHOOTING,
        }
    }

    /// Steps that must be done before this one can succeed. A failing prerequisite makes this step
    /// "blocked" in the checklist.
    pub fn prerequisites(self) -> &'static [StepId] {
        match self {
            StepId::ExchangeOnlineProfile => &[],
            StepId::OrgEmailDefaults => &[StepId::ExchangeOnlineProfile],
            StepId::MailboxConfiguration => &[StepId::ExchangeOnlineProfile, StepId::OrgEmailDefaults],
            StepId::MailboxApproval => &[],
            StepId::TestAndEnable => &[StepId::MailboxConfiguration, StepId::MailboxApproval],
            StepId::MailboxAlerts => &[],
            StepId::KeepSynchronising => &[],
        }
    }
}

/// Outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "kebab-case")]
pub enum Status {
    /// Done.
    Pass,
    /// Works, but should be changed.
    Warn,
    /// Blocks server-side synchronization.
    Fail,
    /// Could not be checked; the reason says why.
    Unknown(String),
}

impl Status {
    /// Stable lower-case key (`pass`, `warn`, `fail`, `unknown`).
    pub fn key(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Unknown(_) => "unknown",
        }
    }

    /// The status implied by a set of findings: any error fails, any warning warns, else pass.
    pub fn from_findings(findings: &[Finding]) -> Status {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => Status::Fail,
            Some(Severity::Warning) => Status::Warn,
            _ => Status::Pass,
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// For information.
    Info,
    /// Should be fixed.
    Warning,
    /// Blocks synchronization.
    Error,
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Subject {
    /// The organization.
    Org,
    /// An email server profile (its id).
    Profile(String),
    /// One mailbox (its id).
    Mailbox(String),
    /// A group of mailboxes (their ids, in snapshot order).
    Mailboxes(Vec<String>),
    /// A user (the caller, for permission findings): the `systemuserid`.
    User(String),
}

/// Who has to act on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// A Dynamics 365 / Power Platform administrator.
    DynamicsAdmin,
    /// An Exchange or Microsoft 365 administrator.
    ExchangeAdmin,
}

/// A one-click fix SyncReady can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Remedy {
    /// Make this profile the org's default.
    SetDefaultProfile {
        /// Profile id.
        profile_id: String,
    },
    /// Activate this profile.
    ActivateProfile {
        /// Profile id.
        profile_id: String,
    },
    /// Set the org to process email with server-side synchronization, with incoming, outgoing and ACT
    /// defaults on server-side synchronization and, when given, this default profile.
    SetOrgDefaults {
        /// The Exchange Online profile to make the default, if it is not already.
        profile_id: Option<String>,
    },
    /// "Apply Default Email Settings" to these mailboxes (org default profile and methods).
    ApplyDefaultSettings {
        /// Mailbox ids.
        mailbox_ids: Vec<String>,
    },
    /// "Approve Email" for these mailboxes.
    ApproveMailboxes {
        /// Mailbox ids.
        mailbox_ids: Vec<String>,
    },
    /// "Test & Enable" these mailboxes.
    TestAndEnable {
        /// Mailbox ids.
        mailbox_ids: Vec<String>,
        /// Tick "Sync items with Exchange from this org only, even if Exchange was set to sync with a
        /// different org" (`orgmarkedasprimaryforexchangesync`).
        this_org_only: bool,
    },
}

impl Remedy {
    /// Stable key of the bulk action (`approve-mailboxes`, …).
    pub fn key(&self) -> &'static str {
        match self {
            Remedy::SetDefaultProfile { .. } => "set-default-profile",
            Remedy::ActivateProfile { .. } => "activate-profile",
            Remedy::SetOrgDefaults { .. } => "set-org-defaults",
            Remedy::ApplyDefaultSettings { .. } => "apply-default-settings",
            Remedy::ApproveMailboxes { .. } => "approve-mailboxes",
            Remedy::TestAndEnable { .. } => "test-and-enable",
        }
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// What it concerns.
    pub subject: Subject,
    /// Plain-language message.
    pub message: String,
    /// Who must act.
    pub actor: Actor,
    /// A fix SyncReady can run, if any.
    pub remedy: Option<Remedy>,
    /// Microsoft documentation for this finding, when more specific than the step's.
    #[serde(default)]
    pub doc_link: Option<String>,
}

impl Finding {
    /// A finding without remedy or link.
    pub fn new(severity: Severity, subject: Subject, actor: Actor, message: impl Into<String>) -> Self {
        Self { severity, subject, message: message.into(), actor, remedy: None, doc_link: None }
    }

    /// With a remedy.
    #[must_use]
    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// With a documentation link.
    #[must_use]
    pub fn doc(mut self, link: impl Into<String>) -> Self {
        self.doc_link = Some(link.into());
        self
    }
}

/// A live count shown with a step, e.g. "212 of 300 mailboxes approved".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Stable key, e.g. `approved`.
    pub key: String,
    /// Label, e.g. "mailboxes approved".
    pub label: String,
    /// The count.
    pub value: usize,
    /// Out of how many, when it is a part of a whole.
    pub of: Option<usize>,
}

impl Count {
    /// A count that is part of a whole.
    pub fn of(key: &str, label: &str, value: usize, of: usize) -> Self {
        Self { key: key.to_owned(), label: label.to_owned(), value, of: Some(of) }
    }

    /// A plain count.
    pub fn plain(key: &str, label: &str, value: usize) -> Self {
        Self { key: key.to_owned(), label: label.to_owned(), value, of: None }
    }

    /// "212 of 300 mailboxes approved" in `lang` (catalogue keys `count.of`, `count.plain`); the
    /// label is in the language the report was evaluated in.
    pub fn text(&self, lang: Lang) -> String {
        match self.of {
            Some(of) => crate::tr!(lang, "count.of", value = self.value, of = of, label = self.label),
            None => crate::tr!(lang, "count.plain", value = self.value, label = self.label),
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.of {
            // English; the UI renders counts through the catalogue (`count.of`).
            Some(of) => write!(f, "{} of {} {}", self.value, of, self.label),
            None => write!(f, "{} {}", self.value, self.label),
        }
    }
}

/// Result of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// The step.
    pub step: StepId,
    /// Its status.
    #[serde(flatten)]
    pub status: Status,
    /// One-line summary for the checklist row.
    pub summary: String,
    /// Details.
    pub findings: Vec<Finding>,
    /// Live counts for the checklist row.
    #[serde(default)]
    pub counts: Vec<Count>,
}

/// The whole checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Steps in the document's order.
    pub steps: Vec<StepResult>,
}

impl Report {
    /// The result for `step`, if evaluated.
    pub fn step(&self, step: StepId) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.step == step)
    }
}
