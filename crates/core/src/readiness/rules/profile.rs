//! Step "Verify you have the profile: Microsoft Exchange Online".

use super::unable;
use crate::collect::{CollectError, Part, Snapshot};
use crate::model::RecordState;
use crate::readiness::report::{Actor, Finding, Remedy, Severity, Status, StepId, StepResult, Subject};

const STEP: StepId = StepId::ExchangeOnlineProfile;

/// Exchange Online profile present, active and the org default.
pub(super) fn exchange_online_profile(snap: &Snapshot, errors: &[CollectError]) -> StepResult {
    let Some(profiles) = &snap.profiles else {
        return unable(STEP, Part::Profiles, errors);
    };
    let exo: Vec<_> = profiles.iter().filter(|p| p.is_exchange_online()).collect();
    if exo.is_empty() {
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: "No Exchange Online email server profile".to_owned(),
            findings: vec![Finding {
                severity: Severity::Error,
                subject: Subject::Org,
                message: "The \"Microsoft Exchange Online\" profile is missing. Dynamics creates it only when \
                          Exchange Online is in the same Microsoft 365 tenant: check the Exchange Online \
                          subscription and tenant, or set up a cross-tenant profile."
                    .to_owned(),
                actor: Actor::ExchangeAdmin,
                remedy: None,
            }],
        };
    }
    let active: Vec<_> = exo.iter().filter(|p| p.state == RecordState::Active).collect();
    let Some(best) = active.first() else {
        let findings = exo
            .iter()
            .map(|p| Finding {
                severity: Severity::Error,
                subject: Subject::Profile(p.id.clone()),
                message: format!(
                    "The profile \"{}\" is inactive; mailboxes using it fail with InvalidIncomingEmailServerProfile.",
                    p.name
                ),
                actor: Actor::DynamicsAdmin,
                remedy: Some(Remedy::ActivateProfile { profile_id: p.id.clone() }),
            })
            .collect();
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: "The Exchange Online profile is inactive".to_owned(),
            findings,
        };
    };
    let Some(org) = &snap.org else {
        return unable(STEP, Part::Organization, errors);
    };
    let default_is_exo = org.default_profile.as_deref().is_some_and(|d| active.iter().any(|p| p.id == d));
    if default_is_exo {
        let name = org
            .default_profile
            .as_deref()
            .and_then(|d| active.iter().find(|p| p.id == d))
            .map_or("", |p| p.name.as_str());
        return StepResult {
            step: STEP,
            status: Status::Pass,
            summary: format!("\"{name}\" is active and the default profile"),
            findings: Vec::new(),
        };
    }
    let current = org
        .default_profile
        .as_deref()
        .and_then(|d| profiles.iter().find(|p| p.id == d))
        .map_or_else(|| "no profile".to_owned(), |p| format!("\"{}\"", p.name));
    StepResult {
        step: STEP,
        status: Status::Warn,
        summary: format!("\"{}\" is active but not the default ({current} is)", best.name),
        findings: vec![Finding {
            severity: Severity::Warning,
            subject: Subject::Profile(best.id.clone()),
            message: format!(
                "New mailboxes get the org's default profile, currently {current}. Make \"{}\" the default.",
                best.name
            ),
            actor: Actor::DynamicsAdmin,
            remedy: Some(Remedy::SetDefaultProfile { profile_id: best.id.clone() }),
        }],
    }
}
