//! Step "Verify you have the profile: Microsoft Exchange Online".

use super::{Context, result};
use crate::collect::Part;
use crate::i18n::Lang;
use crate::model::{CredentialRetrieval, Profile, RecordState};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, Status, StepId, StepResult, Subject};
use crate::{tr, trn};

const STEP: StepId = StepId::ExchangeOnlineProfile;
const SUPPORTED_CONFIG: &str = crate::readiness::links::EXO_SUPPORTED;

/// Exchange Online profile present, active, server-to-server with autodiscover, and the org default.
pub(super) fn exchange_online_profile(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let lang = ctx.lang();
    let Some(profiles) = &snap.profiles else {
        return ctx.unable(STEP, Part::Profiles);
    };
    let exo: Vec<_> = profiles.iter().filter(|p| p.is_exchange_online()).collect();
    let active: Vec<_> = exo.iter().copied().filter(|p| p.state == RecordState::Active).collect();
    let counts = vec![
        Count::plain("profiles", lang.t("profile.count.profiles"), profiles.len()),
        Count::of("exchange-online-active", lang.t("profile.count.exchange-online-active"), active.len(), exo.len()),
    ];
    if exo.is_empty() {
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: lang.t("profile.summary.missing").to_owned(),
            findings: vec![
                Finding::new(Severity::Error, Subject::Org, Actor::ExchangeAdmin, lang.t("profile.finding.missing"))
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
                    tr!(lang, "profile.finding.inactive", name = p.name),
                )
                .remedy(Remedy::ActivateProfile { profile_id: p.id.clone() })
            })
            .collect();
        return StepResult {
            step: STEP,
            status: Status::Fail,
            summary: lang.t("profile.summary.inactive").to_owned(),
            findings,
            counts,
        };
    };
    let Some(org) = &snap.org else {
        return ctx.unable(STEP, Part::Organization);
    };
    let default = org.default_profile.as_deref().and_then(|d| active.iter().copied().find(|p| p.id == d));
    let best = default.unwrap_or(first_active);
    let mut findings = Vec::new();
    for guess in exo.iter().filter(|p| p.exchange_online_guess().is_some()) {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Profile(guess.id.clone()),
            Actor::DynamicsAdmin,
            tr!(lang, "profile.finding.guess", name = guess.name),
        ));
    }
    if profiles.len() > 1 {
        // With several profiles the admin has to know which one new mailboxes get.
        let names: Vec<String> = profiles
            .iter()
            .map(|p| {
                let mut tags = Vec::new();
                if org.default_profile.as_deref() == Some(p.id.as_str()) {
                    tags.push(lang.t("profile.tag.default"));
                }
                if p.state != RecordState::Active {
                    tags.push(lang.t("profile.tag.inactive"));
                }
                if tags.is_empty() {
                    tr!(lang, "profile.name", name = p.name)
                } else {
                    tr!(lang, "profile.name-tagged", name = p.name, tags = tags.join(", "))
                }
            })
            .collect();
        findings.push(Finding::new(
            Severity::Info,
            Subject::Org,
            Actor::DynamicsAdmin,
            trn!(lang, "profile.finding.several", profiles.len(), names = names.join(", ")),
        ));
    }
    let summary = match default {
        Some(p) => tr!(lang, "profile.summary.ok", name = p.name),
        None => {
            let current = org
                .default_profile
                .as_deref()
                .and_then(|d| profiles.iter().find(|p| p.id == d))
                .map_or_else(|| lang.t("profile.no-profile").to_owned(), |p| tr!(lang, "profile.name", name = p.name));
            findings.push(
                Finding::new(
                    Severity::Warning,
                    Subject::Profile(best.id.clone()),
                    Actor::DynamicsAdmin,
                    tr!(lang, "profile.finding.not-default", current = current, name = best.name),
                )
                .remedy(Remedy::SetDefaultProfile { profile_id: best.id.clone() }),
            );
            tr!(lang, "profile.summary.not-default", name = best.name, current = current)
        }
    };
    let connection = connection_findings(best, lang);
    let summary = if connection.is_empty() || default.is_none() {
        summary
    } else {
        tr!(lang, "profile.summary.unsupported", name = best.name)
    };
    findings.extend(connection);
    result(STEP, summary, findings, counts)
}

/// Exchange Online in the same tenant is supported only with server-to-server authentication and
/// autodiscover; a cross-tenant profile uses Azure AD OAuth instead.
fn connection_findings(p: &Profile, lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    let cross_tenant = p.incoming_credentials == Some(CredentialRetrieval::AzureAdOAuth);
    if !p.server_to_server && !cross_tenant {
        let how = p.incoming_credentials.map_or_else(|| lang.t("profile.unknown-method").to_owned(), |c| c.label());
        out.push(
            Finding::new(
                Severity::Warning,
                Subject::Profile(p.id.clone()),
                Actor::DynamicsAdmin,
                tr!(lang, "profile.finding.not-s2s", name = p.name, how = how),
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
                tr!(lang, "profile.finding.no-autodiscover", name = p.name),
            )
            .doc(SUPPORTED_CONFIG),
        );
    }
    out
}
