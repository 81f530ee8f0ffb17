//! Step "Configure default email processing and synchronization".

use super::{Context, active_exo, result, target_profile, unable};
use crate::collect::Part;
use crate::model::{ActDeliveryMethod, ConnectionChannel, DeliveryMethod};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};

const STEP: StepId = StepId::OrgEmailDefaults;

/// The org processes email with SSS; its default profile is Exchange Online; the default incoming,
/// outgoing and ACT methods given to new mailboxes are SSS.
pub(super) fn org_email_defaults(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let Some(org) = &snap.org else {
        return unable(STEP, Part::Organization, ctx.errors);
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
                "\"Process Email Using\" is set to the Email Router, which is retired. Set it to Server-Side \
                 Synchronization.",
            )
            .remedy(fix()),
        ),
        other => findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Org,
                Actor::DynamicsAdmin,
                format!(
                    "\"Process Email Using\" has {}; it should be Server-Side Synchronization.",
                    other.map_or_else(|| "no value".to_owned(), |c| format!("the unknown value {c:?}"))
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
            format!(
                "Whether the default profile is Exchange Online could not be checked: {}",
                super::why_missing(Part::Profiles, ctx.errors)
            ),
        )),
        (Some(_), Some(d)) if exo.iter().any(|p| p.id == d) => ok += 1,
        (Some(profiles), d) => {
            let message = match d.and_then(|d| profiles.iter().find(|p| p.id == d)) {
                Some(p) => {
                    format!("The default server profile is \"{}\", not the active Exchange Online profile.", p.name)
                }
                None if d.is_some() => "The default server profile no longer exists.".to_owned(),
                None => "No default server profile is set.".to_owned(),
            };
            let finding = Finding::new(Severity::Error, Subject::Org, Actor::DynamicsAdmin, message);
            findings.push(match snap_target_name(&exo, target.as_deref()) {
                Some((id, name)) => Finding {
                    message: format!("{} Make \"{name}\" the default.", finding.message),
                    ..finding.remedy(Remedy::SetDefaultProfile { profile_id: id })
                },
                None => Finding {
                    message: format!("{} Fix the Exchange Online profile first.", finding.message),
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
                "No default delivery methods are set, so new mailboxes get none. Set incoming, outgoing and \
                 appointments, contacts and tasks to Server-Side Synchronization.",
            )
            .remedy(fix()),
        ),
        Some(Err(e)) => findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Org,
                Actor::DynamicsAdmin,
                format!("The default delivery methods could not be read ({}). Set the defaults again.", e.reason),
            )
            .remedy(fix()),
        ),
        Some(Ok(settings)) => {
            let email = |name: &str, m: Option<DeliveryMethod>| match m {
                Some(DeliveryMethod::ServerSideSync) => None,
                other => Some(format!("{name}: {}", other.map_or_else(|| "not set".to_owned(), |m| m.label()))),
            };
            let act = match settings.act {
                Some(ActDeliveryMethod::ServerSideSync) => None,
                other => Some(format!(
                    "appointments, contacts and tasks: {}",
                    other.map_or_else(|| "not set".to_owned(), |m| m.label())
                )),
            };
            let wrong: Vec<String> =
                [email("incoming email", settings.incoming), email("outgoing email", settings.outgoing), act]
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
                        format!(
                            "New mailboxes are not set up for server-side synchronization ({}). Set the defaults to \
                             Server-Side Synchronization.",
                            wrong.join("; ")
                        ),
                    )
                    .remedy(fix()),
                );
            }
        }
    }

    let counts = vec![Count::of("settings-ok", "org email settings on server-side synchronization", ok, total)];
    let summary = if findings.is_empty() {
        "Email is processed with server-side synchronization; new mailboxes get the Exchange Online profile".to_owned()
    } else {
        format!("{ok} of {total} org email settings are right")
    };
    result(STEP, summary, findings, counts)
}

fn snap_target_name(exo: &[&crate::model::Profile], target: Option<&str>) -> Option<(String, String)> {
    let id = target?;
    exo.iter().find(|p| p.id == id).map(|p| (p.id.clone(), p.name.clone()))
}
