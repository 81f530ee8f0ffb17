//! Step "Verify you have the profile: Microsoft Exchange Online".

use super::{Context, result, unable};
use crate::collect::Part;
use crate::model::{CredentialRetrieval, Profile, RecordState};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, Status, StepId, StepResult, Subject};

const STEP: StepId = StepId::ExchangeOnlineProfile;
const SUPPORTED_CONFIG: &str = crate::readiness::links::EXO_SUPPORTED;

/// Exchange Online profile present, active, server-to-server with autodiscover, and the org default.
pub(super) fn exchange_online_profile(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let Some(profiles) = &snap.profiles else {
        return unable(STEP, Part::Profiles, ctx.errors);
    };
    let exo: Vec<_> = profiles.iter().filter(|p| p.is_exchange_online()).collect();
    let active: Vec<_> = exo.iter().copied().filter(|p| p.state == RecordState::Active).collect();
    let counts = vec![
        Count::plain("profiles", "email server profiles", profiles.len()),
        Count::of("exchange-online-active", "Exchange Online profiles active", active.len(), exo.len()),
    ];
    if exo.is_empty() {
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: "No Exchange Online email server profile".to_owned(),
            findings: vec![
                Finding::new(
                    Severity::Error,
                    Subject::Org,
                    Actor::ExchangeAdmin,
                    "The \"Microsoft Exchange Online\" profile is missing. Dynamics creates it only when Exchange Online \
                     is in the same Microsoft 365 tenant: check the Exchange Online subscription and tenant, or set up \
                     a cross-tenant profile.",
                )
                .doc(StepId::ExchangeOnlineProfile.doc_link()),
            ],
            counts,
        };
    }
    let Some(first_active) = active.first() else {
        let findings = exo
            .iter()
            .map(|p| {
                Finding::new(
                    Severity::Error,
                    Subject::Profile(p.id.clone()),
                    Actor::DynamicsAdmin,
                    format!(
                        "The profile \"{}\" is inactive; mailboxes using it fail with InvalidIncomingEmailServerProfile.",
                        p.name
                    ),
                )
                .remedy(Remedy::ActivateProfile { profile_id: p.id.clone() })
            })
            .collect();
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: "The Exchange Online profile is inactive".to_owned(),
            findings,
            counts,
        };
    };
    let Some(org) = &snap.org else {
        return unable(STEP, Part::Organization, ctx.errors);
    };
    let default = org.default_profile.as_deref().and_then(|d| active.iter().copied().find(|p| p.id == d));
    let best = default.unwrap_or(first_active);
    let mut findings = Vec::new();
    for guess in exo.iter().filter_map(|p| p.exchange_online_guess().map(|g| (p, g))) {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Profile(guess.0.id.clone()),
            Actor::DynamicsAdmin,
            guess.1,
        ));
    }
    if profiles.len() > 1 {
        // With several profiles the admin has to know which one new mailboxes get.
        let names: Vec<String> = profiles
            .iter()
            .map(|p| {
                let mut tags = Vec::new();
                if org.default_profile.as_deref() == Some(p.id.as_str()) {
                    tags.push("default");
                }
                if p.state != RecordState::Active {
                    tags.push("inactive");
                }
                if tags.is_empty() {
                    format!("\"{}\"", p.name)
                } else {
                    format!("\"{}\" ({})", p.name, tags.join(", "))
                }
            })
            .collect();
        findings.push(Finding::new(
            Severity::Info,
            Subject::Org,
            Actor::DynamicsAdmin,
            format!("{} email server profiles: {}.", profiles.len(), names.join(", ")),
        ));
    }
    let summary = match default {
        Some(p) => format!("\"{}\" is active and the default profile", p.name),
        None => {
            let current = org
                .default_profile
                .as_deref()
                .and_then(|d| profiles.iter().find(|p| p.id == d))
                .map_or_else(|| "no profile".to_owned(), |p| format!("\"{}\"", p.name));
            findings.push(
                Finding::new(
                    Severity::Warning,
                    Subject::Profile(best.id.clone()),
                    Actor::DynamicsAdmin,
                    format!(
                        "New mailboxes get the org's default profile, currently {current}. Make \"{}\" the default.",
                        best.name
                    ),
                )
                .remedy(Remedy::SetDefaultProfile { profile_id: best.id.clone() }),
            );
            format!("\"{}\" is active but not the default ({current} is)", best.name)
        }
    };
    let connection = connection_findings(best);
    let summary = if connection.is_empty() || default.is_none() {
        summary
    } else {
        format!("\"{}\" is the default profile, but its connection settings are not supported", best.name)
    };
    findings.extend(connection);
    result(STEP, summary, findings, counts)
}

/// Exchange Online in the same tenant is supported only with server-to-server authentication and
/// autodiscover; a cross-tenant profile uses Azure AD OAuth instead.
fn connection_findings(p: &Profile) -> Vec<Finding> {
    let mut out = Vec::new();
    let cross_tenant = p.incoming_credentials == Some(CredentialRetrieval::AzureAdOAuth);
    if !p.server_to_server && !cross_tenant {
        let how = p.incoming_credentials.map_or_else(|| "an unknown method".to_owned(), |c| c.label());
        out.push(
            Finding::new(
                Severity::Warning,
                Subject::Profile(p.id.clone()),
                Actor::DynamicsAdmin,
                format!(
                    "\"{}\" authenticates with {how}. Exchange Online in the same tenant is supported only with \
                     server-to-server authentication.",
                    p.name
                ),
            )
            .doc(SUPPORTED_CONFIG),
        );
    }
    if !p.autodiscover {
        out.push(
            Finding::new(
                Severity::Warning,
                Subject::Profile(p.id.clone()),
                Actor::DynamicsAdmin,
                format!("\"{}\" has Auto Discover Server Location off; Exchange Online needs it on.", p.name),
            )
            .doc(SUPPORTED_CONFIG),
        );
    }
    out
}
