//! Builders and the renderer shared by the rule tests.

use super::{exo, org, pop};
use crate::collect::{CollectError, Snapshot};
use crate::model::{
    ActDeliveryMethod, Alert, AlertLevel, AlertSet, ApprovalState, Caller, DefaultEmailSettings, DeliveryMethod,
    Mailbox, MailboxKind, PrivilegeHolding, RecordState, Role, SYSTEM_ADMINISTRATOR_TEMPLATE, TestStatus, Timestamp,
};
use crate::readiness::{EvaluateOptions, Remedy, StepId, StepResult, Subject, evaluate_with};
use expect_test::Expect;

/// 2026-11-26T12:00:00Z.
pub(crate) const NOW: Timestamp = Timestamp(1_795_694_400);

/// An org whose defaults are all right.
pub(crate) fn org_ok() -> crate::model::OrgSettings {
    let mut o = org(Some("p-exo"));
    o.default_email_settings = Some(Ok(DefaultEmailSettings {
        incoming: Some(DeliveryMethod::ServerSideSync),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        act: Some(ActDeliveryMethod::ServerSideSync),
    }));
    o
}

/// A mailbox that is fully configured, approved and tested.
pub(crate) fn healthy(id: &str, kind: MailboxKind) -> Mailbox {
    Mailbox {
        id: id.into(),
        etag: None,
        name: format!("Name {id}"),
        email: Some(format!("{id}@contoso.com")),
        profile: Some("p-exo".into()),
        regarding: Some(format!("owner-{id}")),
        kind: kind.clone(),
        state: RecordState::Active,
        incoming: Some(DeliveryMethod::ServerSideSync),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        act: Some(if kind == MailboxKind::Queue { ActDeliveryMethod::None } else { ActDeliveryMethod::ServerSideSync }),
        incoming_status: Some(TestStatus::Success),
        outgoing_status: Some(TestStatus::Success),
        act_status: Some(TestStatus::Success),
        mailbox_status: Some(TestStatus::Success),
        approval: ApprovalState::Approved,
        enabled_incoming: true,
        enabled_outgoing: true,
        enabled_act: true,
        test_scheduled: false,
        test_completed_on: Some(Timestamp(NOW.0 - 86_400)),
        org_marked_primary: false,
        postpone_test_until: None,
        process_email_received_after: None,
        approved_by_o365_admin: None,
    }
}

pub(crate) fn user(id: &str) -> Mailbox {
    healthy(id, MailboxKind::User)
}

pub(crate) fn queue(id: &str) -> Mailbox {
    healthy(id, MailboxKind::Queue)
}

pub(crate) fn role(name: &str, template: Option<&str>, team: Option<&str>) -> Role {
    Role {
        id: format!("r-{name}"),
        name: name.into(),
        template_id: template.map(Into::into),
        via_team: team.map(Into::into),
    }
}

pub(crate) fn sysadmin() -> Role {
    role("System Administrator", Some(SYSTEM_ADMINISTRATOR_TEMPLATE), None)
}

pub(crate) fn alert(regarding: &str, level: AlertLevel, text: &str, code: Option<i64>) -> Alert {
    Alert { level, text: text.into(), code, created_on: None, modified_on: None, regarding: Some(regarding.into()) }
}

/// A snapshot of a healthy org (Exchange Online default profile, right defaults, caller is System
/// Administrator with the privilege) holding `mailboxes`.
pub(crate) fn snap(mailboxes: Vec<Mailbox>) -> Snapshot {
    // Every mailbox synchronised five minutes ago.
    let monitoring = mailboxes
        .iter()
        .map(|m| crate::health::Monitoring {
            mailbox_id: m.id.clone(),
            last_success: Some(Timestamp(NOW.0 - 300)),
            ..crate::health::Monitoring::default()
        })
        .collect();
    Snapshot {
        caller: Some(Caller { user_id: "caller".into(), organization_id: "o".into() }),
        org: Some(org_ok()),
        profiles: Some(vec![exo(RecordState::Active), pop()]),
        mailboxes: Some(mailboxes),
        roles: Some(vec![sysadmin()]),
        team_roles: Some(Vec::new()),
        approve_privilege: Some(PrivilegeHolding {
            name: "prvApproveRejectEmailAddress".into(),
            held: true,
            depth: Some("Global".into()),
        }),
        alerts: Some(AlertSet::default()),
        monitoring: Some(monitoring),
        item_failures: Some(Vec::new()),
    }
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::Org => "org".to_owned(),
        Subject::Profile(id) => format!("profile {id}"),
        Subject::Mailbox(id) => format!("mailbox {id}"),
        Subject::Mailboxes(ids) => format!("mailboxes [{}]", ids.join(" ")),
        Subject::User(id) => format!("user {id}"),
    }
}

fn remedy(r: &Remedy) -> String {
    match r {
        Remedy::SetDefaultProfile { profile_id } | Remedy::ActivateProfile { profile_id } => {
            format!("{} {profile_id}", r.key())
        }
        Remedy::SetOrgDefaults { profile_id } => format!("{} profile={profile_id:?}", r.key()),
        Remedy::ApplyDefaultSettings { mailbox_ids } | Remedy::ApproveMailboxes { mailbox_ids } => {
            format!("{} [{}]", r.key(), mailbox_ids.join(" "))
        }
        Remedy::TestAndEnable { mailbox_ids, this_org_only } => {
            format!("{} [{}] this_org_only={this_org_only}", r.key(), mailbox_ids.join(" "))
        }
    }
}

/// Renders a step: status and summary, counts, then one block per finding.
pub(crate) fn render(step: &StepResult) -> String {
    let mut out = format!("{}: {}\n", step.status.key(), step.summary);
    if !step.counts.is_empty() {
        let counts: Vec<String> = step.counts.iter().map(ToString::to_string).collect();
        out.push_str(&format!("counts: {}\n", counts.join("; ")));
    }
    for f in &step.findings {
        out.push_str(&format!("- {:?} {:?} {}: {}\n", f.severity, f.actor, subject(&f.subject), f.message));
        if let Some(r) = &f.remedy {
            out.push_str(&format!("  remedy: {}\n", remedy(r)));
        }
        if let Some(d) = &f.doc_link {
            out.push_str(&format!("  doc: {d}\n"));
        }
    }
    out
}

/// Evaluates `snap` at [`NOW`] and compares the rendering of `step`.
pub(crate) fn check(step: StepId, snap: Snapshot, expect: Expect) {
    check_with(step, snap, &[], EvaluateOptions::at(NOW), expect);
}

/// Like [`check`] with collection errors and options.
pub(crate) fn check_with(
    step: StepId,
    snap: Snapshot,
    errors: &[CollectError],
    options: EvaluateOptions,
    expect: Expect,
) {
    let report = evaluate_with(&snap, errors, &options);
    let result = report.step(step).unwrap();
    expect.assert_eq(&render(result));
}
