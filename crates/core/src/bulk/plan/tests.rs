use super::*;
use crate::bulk::MailboxFilter;
use crate::model::{
    ActDeliveryMethod, Caller, DefaultEmailSettings, DeliveryMethod, OrgSettings, PrivilegeHolding, Profile,
    SYSTEM_ADMINISTRATOR_TEMPLATE,
};
use expect_test::{Expect, expect};

const EXO: &str = "a0000000-0000-4000-8000-00000000e001";
const POP: &str = "a0000000-0000-4000-8000-00000000e002";

pub(crate) fn mailbox(n: u32, kind: MailboxKind, approval: ApprovalState) -> Mailbox {
    Mailbox {
        id: format!("b0000000-0000-4000-8000-{n:012}"),
        etag: None,
        name: format!("Mailbox {n}"),
        email: Some(format!("m{n}@contoso.com")),
        profile: Some(POP.into()),
        regarding: Some(format!("c0000000-0000-4000-8000-{n:012}")),
        kind,
        state: RecordState::Active,
        incoming: Some(DeliveryMethod::Outlook),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        act: Some(ActDeliveryMethod::Outlook),
        incoming_status: None,
        outgoing_status: None,
        act_status: None,
        mailbox_status: None,
        approval,
        enabled_incoming: true,
        enabled_outgoing: true,
        enabled_act: true,
        test_scheduled: false,
        test_completed_on: None,
        org_marked_primary: false,
        postpone_test_until: None,
        process_email_received_after: None,
        approved_by_o365_admin: None,
    }
}

fn role(name: &str, template: Option<&str>) -> Role {
    Role { id: name.to_lowercase(), name: name.into(), template_id: template.map(str::to_owned), via_team: None }
}

pub(crate) fn snapshot(mailboxes: Vec<Mailbox>) -> Snapshot {
    Snapshot {
        caller: Some(Caller { user_id: "c0000000-0000-4000-8000-000000000999".into(), organization_id: "org".into() }),
        org: Some(OrgSettings {
            id: "d0000000-0000-4000-8000-000000000001".into(),
            name: "Contoso".into(),
            default_profile: Some(EXO.into()),
            default_email_settings_xml: None,
            default_email_settings: Some(Ok(DefaultEmailSettings {
                incoming: Some(DeliveryMethod::ServerSideSync),
                outgoing: Some(DeliveryMethod::ServerSideSync),
                act: Some(ActDeliveryMethod::ServerSideSync),
            })),
            connection_channel: Some(0),
            require_approval_users: true,
            require_approval_queues: true,
        }),
        profiles: Some(vec![profile(EXO, "Microsoft Exchange Online"), profile(POP, "POP3")]),
        mailboxes: Some(mailboxes),
        roles: Some(vec![role("System Administrator", Some(SYSTEM_ADMINISTRATOR_TEMPLATE))]),
        team_roles: Some(Vec::new()),
        approve_privilege: Some(PrivilegeHolding {
            name: "prvApproveRejectEmailAddress".into(),
            held: true,
            depth: Some("Global".into()),
        }),
        alerts: None,
        monitoring: None,
        item_failures: None,
    }
}

fn profile(id: &str, name: &str) -> Profile {
    Profile {
        id: id.into(),
        name: name.into(),
        server_type: None,
        type_name: None,
        state: RecordState::Active,
        server_to_server: true,
        autodiscover: true,
        incoming_credentials: None,
    }
}

/// Renders a plan: the PATCH bodies, the dry-run rows, skips, blocks and warnings.
fn check(snapshot: &Snapshot, selection: &Selection, action: &Action, expect: Expect) {
    let plan = plan(snapshot, selection, action).unwrap();
    let mut out = String::new();
    for item in &plan.items {
        let r = item.request();
        out.push_str(&format!("PATCH {} {}\n", r.path, r.body.unwrap_or_default()));
    }
    for row in plan.dry_run() {
        out.push_str(&format!("  {} {}: {} -> {}\n", row.name, row.field, row.before, row.after));
    }
    for s in &plan.skipped {
        out.push_str(&format!("skipped {}: {}\n", s.name, s.reason));
    }
    for b in &plan.blocked {
        out.push_str(&format!("blocked {}: {}\n", b.name, b.reason));
    }
    for w in &plan.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    expect.assert_eq(&out);
}

#[test]
fn approve_writes_the_approval_column_and_skips_mailboxes_already_approved() {
    let snap = snapshot(vec![
        mailbox(1, MailboxKind::User, ApprovalState::Pending),
        mailbox(2, MailboxKind::Queue, ApprovalState::Approved),
    ]);
    let all = Selection::Matching(MailboxFilter::default());
    check(
        &snap,
        &all,
        &Action::Approve,
        expect![[r#"
            PATCH mailboxes(b0000000-0000-4000-8000-000000000001) {"emailrouteraccessapproval":1}
              Mailbox 1 emailrouteraccessapproval: Pending Approval -> Approved
            skipped Mailbox 2: already approved
            warning: Approval also needs the Microsoft 365 Global Administrator or Exchange Administrator role, which Dataverse cannot show. If the first approval is refused (0x80040256), SyncReady stops approving and says who can.
        "#]],
    );
}

#[test]
fn apply_default_settings_binds_the_profile_omits_act_for_queues_and_tests_by_default() {
    let snap = snapshot(vec![
        mailbox(1, MailboxKind::User, ApprovalState::Approved),
        mailbox(2, MailboxKind::Queue, ApprovalState::Approved),
        mailbox(3, MailboxKind::Forward, ApprovalState::Approved),
    ]);
    let all = Selection::Matching(MailboxFilter::default());
    check(
        &snap,
        &all,
        &Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: true },
        expect![[r#"
            PATCH mailboxes(b0000000-0000-4000-8000-000000000001) {"actdeliverymethod":1,"emailserverprofile@odata.bind":"/emailserverprofiles(a0000000-0000-4000-8000-00000000e001)","incomingemaildeliverymethod":2,"orgmarkedasprimaryforexchangesync":true,"testemailconfigurationscheduled":true}
            PATCH mailboxes(b0000000-0000-4000-8000-000000000002) {"emailserverprofile@odata.bind":"/emailserverprofiles(a0000000-0000-4000-8000-00000000e001)","incomingemaildeliverymethod":2,"orgmarkedasprimaryforexchangesync":true,"testemailconfigurationscheduled":true}
              Mailbox 1 emailserverprofile: POP3 -> Microsoft Exchange Online
              Mailbox 1 incomingemaildeliverymethod: Dynamics 365 for Outlook -> Server-Side Synchronization
              Mailbox 1 actdeliverymethod: Dynamics 365 for Outlook -> Server-Side Synchronization
              Mailbox 1 orgmarkedasprimaryforexchangesync: No -> Yes
              Mailbox 1 testemailconfigurationscheduled: No -> Yes
              Mailbox 2 emailserverprofile: POP3 -> Microsoft Exchange Online
              Mailbox 2 incomingemaildeliverymethod: Dynamics 365 for Outlook -> Server-Side Synchronization
              Mailbox 2 orgmarkedasprimaryforexchangesync: No -> Yes
              Mailbox 2 testemailconfigurationscheduled: No -> Yes
            skipped Mailbox 3: only user and queue mailboxes are set up for server-side synchronization
        "#]],
    );
}

#[test]
fn test_and_enable_skips_inactive_and_already_scheduled_mailboxes() {
    let mut inactive = mailbox(2, MailboxKind::User, ApprovalState::Approved);
    inactive.state = RecordState::Inactive;
    let mut scheduled = mailbox(3, MailboxKind::User, ApprovalState::Approved);
    scheduled.test_scheduled = true;
    let snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Approved), inactive, scheduled]);
    let ids = Selection::Ids(vec![
        "B0000000-0000-4000-8000-000000000001".into(),
        "b0000000-0000-4000-8000-000000000002".into(),
        "b0000000-0000-4000-8000-000000000003".into(),
        "b0000000-0000-4000-8000-000000000009".into(),
    ]);
    check(
        &snap,
        &ids,
        &Action::TestAndEnable { this_org_only: false, process_email_after: Some("2026-11-01".into()) },
        expect![[r#"
            PATCH mailboxes(b0000000-0000-4000-8000-000000000001) {"processemailreceivedafter":"2026-11-01","testemailconfigurationscheduled":true}
            PATCH mailboxes(b0000000-0000-4000-8000-000000000003) {"processemailreceivedafter":"2026-11-01"}
              Mailbox 1 processemailreceivedafter: (empty) -> 2026-11-01
              Mailbox 1 testemailconfigurationscheduled: No -> Yes
              Mailbox 3 processemailreceivedafter: (empty) -> 2026-11-01
            skipped b0000000-0000-4000-8000-000000000009: the mailbox is not in the snapshot (deleted, or not readable)
            skipped Mailbox 2: inactive mailboxes are not tested; activate the mailbox first
        "#]],
    );
}

#[test]
fn approvals_are_blocked_before_sending_when_the_caller_lacks_the_privilege() {
    let mut snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    snap.approve_privilege =
        Some(PrivilegeHolding { name: "prvApproveRejectEmailAddress".into(), held: false, depth: None });
    let p = plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    assert!(p.items.is_empty());
    assert_eq!(p.blocked.len(), 1);
    assert!(p.blocked[0].reason.to_string().contains("Delegated Mailbox Approver"), "{}", p.blocked[0].reason);
}

#[test]
fn approvals_are_blocked_without_the_system_administrator_role() {
    let mut snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    snap.roles = Some(vec![role("Delegated Mailbox Approver", None)]);
    let p = plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    assert_eq!(p.blocked.len(), 1);
    assert!(p.blocked[0].reason.to_string().starts_with("You do not have the System Administrator"));
    assert!(p.warnings.is_empty());
}

#[test]
fn org_actions_write_the_organization_row_and_skip_when_nothing_changes() {
    let snap = snapshot(Vec::new());
    check(
        &snap,
        &Selection::Org,
        &Action::SetOrgDefaultEmailSettings {
            profile_id: Some(POP.into()),
            incoming: DeliveryMethod::ServerSideSync,
            outgoing: DeliveryMethod::ServerSideSync,
            act: ActDeliveryMethod::ServerSideSync,
            server_side_sync: true,
        },
        expect![[r#"
            PATCH organizations(d0000000-0000-4000-8000-000000000001) {"defaultemailserverprofileid@odata.bind":"/emailserverprofiles(a0000000-0000-4000-8000-00000000e002)","defaultemailsettings":"<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>"}
              Contoso defaultemailserverprofileid: Microsoft Exchange Online -> POP3
              Contoso defaultemailsettings: (empty) -> <EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>
        "#]],
    );
    check(
        &snap,
        &Selection::Org,
        &Action::SetApprovalRequirement { users: true, queues: true },
        expect![[r#"
            skipped Contoso: the organization already has these settings
        "#]],
    );
}

#[test]
fn every_remedy_maps_to_an_action_that_plans() {
    let snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    let id = "b0000000-0000-4000-8000-000000000001".to_owned();
    let remedies = [
        Remedy::SetDefaultProfile { profile_id: POP.into() },
        Remedy::SetOrgDefaults { profile_id: None },
        Remedy::ApplyDefaultSettings { mailbox_ids: vec![id.clone()] },
        Remedy::ApproveMailboxes { mailbox_ids: vec![id.clone()] },
        Remedy::TestAndEnable { mailbox_ids: vec![id], this_org_only: true },
    ];
    for r in &remedies {
        let (action, selection) = Action::from_remedy(r);
        let p = plan(&snap, &selection, &action).unwrap();
        assert_eq!(p.items.len(), 1, "{r:?}");
        assert!(!action.remedies().is_empty());
    }
}

use crate::readiness::Remedy;
