//! Step "Configure default email processing and synchronization".

use super::{Context, active_exo, result, target_profile};
use crate::collect::Part;
use crate::model::{ActDeliveryMethod, ConnectionChannel, DeliveryMethod};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use crate::tr;

const STEP: StepId = StepId::OrgEmailDefaults;

/// The org processes email with SSS; its default profile is Exchange Online; the default incoming,
/// outgoing and ACT methods given to new mailboxes are SSS.
pub(super) fn org_email_defaults(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let lang = ctx.lang();
    let Some(org) = &snap.org else {
        return ctx.unable(STEP, Part::Organization);
    };
    let target = target_profile(snap).map(|p| p.id.clone());
    let fix = || Remedy::SetOrgDefaults { profile_id: target.clone() };
    let mut findings = Vec::new();
    let mut ok = 0;
    let total = 5;

    match org.channel() {
        Some(ConnectionChannel::ServerSideSync) => ok += 1,
        Some(ConnectionChannel::EmailRouter) => findings.push(
            Finding::new(
                Severity::Error,
                Subject::Org,
                Actor::DynamicsAdmin,
                lang.t("org-defaults.finding.email-router"),
            )
            .remedy(fix()),
        ),
        other => findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Org,
                Actor::DynamicsAdmin,
                tr!(
                    lang,
                    "org-defaults.finding.channel",
                    value = other.map_or_else(
                        || lang.t("org-defaults.no-value").to_owned(),
                        |c| tr!(lang, "org-defaults.unknown-value", value = format!("{c:?}"))
                    )
                ),
            )
            .remedy(fix()),
        ),
    }

    // Default server profile.
    let default = org.default_profile.as_deref();
    let exo = active_exo(snap);
    match (&snap.profiles, default) {
        (None, _) => findings.push(Finding::new(
            Severity::Warning,
            Subject::Org,
            Actor::DynamicsAdmin,
            tr!(lang, "org-defaults.finding.profiles-unread", why = ctx.why_missing(Part::Profiles)),
        )),
        (Some(_), Some(d)) if exo.iter().any(|p| p.id == d) => ok += 1,
        (Some(profiles), d) => {
            let message = match d.and_then(|d| profiles.iter().find(|p| p.id == d)) {
                Some(p) => tr!(lang, "org-defaults.finding.default-not-exo", name = p.name),
                None if d.is_some() => lang.t("org-defaults.finding.default-gone").to_owned(),
                None => lang.t("org-defaults.finding.no-default").to_owned(),
            };
            let finding = Finding::new(Severity::Error, Subject::Org, Actor::DynamicsAdmin, message);
            findings.push(match snap_target_name(&exo, target.as_deref()) {
                Some((id, name)) => Finding {
                    message: tr!(lang, "org-defaults.make-default", message = finding.message, name = name),
                    ..finding.remedy(Remedy::SetDefaultProfile { profile_id: id })
                },
                None => Finding {
                    message: tr!(lang, "org-defaults.fix-profile-first", message = finding.message),
                    ..finding
                },
            });
        }
    }

    // Default delivery methods (the XML).
    match &org.default_email_settings {
        None => findings.push(
            Finding::new(
                Severity::Error,
                Subject::Org,
                Actor::DynamicsAdmin,
                lang.t("org-defaults.finding.no-methods"),
            )
            .remedy(fix()),
        ),
        Some(Err(e)) => findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Org,
                Actor::DynamicsAdmin,
                tr!(lang, "org-defaults.finding.methods-unread", reason = e.reason),
            )
            .remedy(fix()),
        ),
        Some(Ok(settings)) => {
            let email = |what: &str, m: Option<DeliveryMethod>| match m {
                Some(DeliveryMethod::ServerSideSync) => None,
                other => Some(tr!(
                    lang,
                    "org-defaults.method-is",
                    what = lang.t(what),
                    method = other.map_or_else(|| lang.t("org-defaults.not-set").to_owned(), |m| m.label())
                )),
            };
            let act = match settings.act {
                Some(ActDeliveryMethod::ServerSideSync) => None,
                other => Some(tr!(
                    lang,
                    "org-defaults.method-is",
                    what = lang.t("direction.act"),
                    method = other.map_or_else(|| lang.t("org-defaults.not-set").to_owned(), |m| m.label())
                )),
            };
            let wrong: Vec<String> =
                [email("direction.incoming", settings.incoming), email("direction.outgoing", settings.outgoing), act]
                    .into_iter()
                    .flatten()
                    .collect();
            ok += 3 - wrong.len();
            if !wrong.is_empty() {
                findings.push(
                    Finding::new(
                        Severity::Error,
                        Subject::Org,
                        Actor::DynamicsAdmin,
                        tr!(lang, "org-defaults.finding.methods-wrong", wrong = wrong.join("; ")),
                    )
                    .remedy(fix()),
                );
            }
        }
    }

    let counts = vec![Count::of("settings-ok", lang.t("org-defaults.count.settings-ok"), ok, total)];
    let summary = if findings.is_empty() {
        lang.t("org-defaults.summary.ok").to_owned()
    } else {
        tr!(lang, "org-defaults.summary.some", ok = ok, total = total)
    };
    result(STEP, summary, findings, counts)
}

fn snap_target_name(exo: &[&crate::model::Profile], target: Option<&str>) -> Option<(String, String)> {
    let id = target?;
    exo.iter().find(|p| p.id == id).map(|p| (p.id.clone(), p.name.clone()))
}
