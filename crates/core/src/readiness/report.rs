//! Types of a readiness report.

use serde::{Deserialize, Serialize};

/// A step of the "Connect to Exchange Online" procedure, in the document's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    /// "Verify you have the profile: Microsoft Exchange Online" (present, active, default).
    ExchangeOnlineProfile,
}

impl StepId {
    /// Stable identifier used in `data-testid` hooks and exports.
    pub fn key(self) -> &'static str {
        match self {
            StepId::ExchangeOnlineProfile => "exchange-online-profile",
        }
    }

    /// Title as the checklist shows it.
    pub fn title(self) -> &'static str {
        match self {
            StepId::ExchangeOnlineProfile => "Exchange Online email server profile present, active and default",
        }
    }

    /// Microsoft documentation for the step.
    pub fn doc_link(self) -> &'static str {
        match self {
            StepId::ExchangeOnlineProfile => {
                "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#verify-you-have-the-profile-microsoft-exchange-online"
            }
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
