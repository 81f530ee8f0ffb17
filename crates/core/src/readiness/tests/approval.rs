//! The approval step, including whether the caller can approve.

use super::support::{NOW, check, check_with, queue, role, snap, sysadmin, user};
use crate::collect::{CollectError, Part};
use crate::error::Error;
use crate::model::{ApprovalState, DELEGATED_MAILBOX_APPROVER, PrivilegeHolding};
use crate::readiness::{EvaluateOptions, StepId};
use expect_test::expect;

const STEP: StepId = StepId::MailboxApproval;

fn unapproved() -> Vec<crate::model::Mailbox> {
    let mut pending = user("u2");
    pending.approval = ApprovalState::Pending;
    let mut empty = user("u3");
    empty.approval = ApprovalState::Empty;
    let mut rejected = user("u4");
    rejected.approval = ApprovalState::Rejected;
    let mut q = queue("q2");
    q.approval = ApprovalState::Empty;
    vec![user("u1"), pending, empty, rejected, queue("q1"), q]
}

#[test]
fn all_approved_passes_and_a_system_administrator_is_told_about_the_tenant_role() {
    check(
        STEP,
        snap(vec![user("u1"), queue("q1")]),
        expect![[r#"
            pass: 2 of 2 active mailboxes approved
            counts: 2 of 2 mailboxes approved; 1 of 1 user mailboxes approved; 1 of 1 queue mailboxes approved
            - Info ExchangeAdmin user caller: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn unapproved_users_and_queues_fail_with_approve_remedies_and_rejected_apart() {
    check(
        STEP,
        snap(unapproved()),
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved.
              remedy: approve-mailboxes [u2 u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake.
              remedy: approve-mailboxes [u4]
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved.
              remedy: approve-mailboxes [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning ExchangeAdmin user caller: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn a_delegated_mailbox_approver_can_approve() {
    let mut s = snap(unapproved());
    s.roles = Some(vec![sysadmin(), role(DELEGATED_MAILBOX_APPROVER, None, None)]);
    check(
        STEP,
        s,
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved.
              remedy: approve-mailboxes [u2 u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake.
              remedy: approve-mailboxes [u4]
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved.
              remedy: approve-mailboxes [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Info DynamicsAdmin user caller: You can approve mailboxes: you hold System Administrator and Delegated Mailbox Approver.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn delegated_mailbox_approver_through_a_team_does_not_count_but_system_administrator_does() {
    let mut s = snap(unapproved());
    s.roles = Some(vec![]);
    s.team_roles = Some(vec![
        role("System Administrator", Some(crate::model::SYSTEM_ADMINISTRATOR_TEMPLATE), Some("Admins")),
        role(DELEGATED_MAILBOX_APPROVER, None, Some("Admins")),
    ]);
    check(
        STEP,
        s,
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved.
              remedy: approve-mailboxes [u2 u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake.
              remedy: approve-mailboxes [u4]
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved.
              remedy: approve-mailboxes [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning ExchangeAdmin user caller: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn a_caller_without_system_administrator_or_the_privilege_cannot_approve() {
    let mut s = snap(unapproved());
    s.roles = Some(vec![role("Salesperson", None, None)]);
    check(
        STEP,
        s.clone(),
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved. SyncReady cannot make this change for you: You do not have the System Administrator security role. Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake. SyncReady cannot make this change for you: You do not have the System Administrator security role. Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved. SyncReady cannot make this change for you: You do not have the System Administrator security role. Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Error DynamicsAdmin user caller: You cannot approve mailboxes: you do not have the System Administrator role in this environment, which every approver needs. Ask an administrator who can, or to give you the roles.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
    s.roles = Some(vec![sysadmin()]);
    s.approve_privilege =
        Some(PrivilegeHolding { name: "prvApproveRejectEmailAddress".into(), held: false, depth: None });
    check(
        STEP,
        s,
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved. SyncReady cannot make this change for you: You do not hold the privilege "Approve Email Addresses for Users or Queues" (prvApproveRejectEmailAddress). Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake. SyncReady cannot make this change for you: You do not hold the privilege "Approve Email Addresses for Users or Queues" (prvApproveRejectEmailAddress). Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved. SyncReady cannot make this change for you: You do not hold the privilege "Approve Email Addresses for Users or Queues" (prvApproveRejectEmailAddress). Approving email addresses needs the System Administrator security role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator role, or the Dynamics 365 "Delegated Mailbox Approver" security role. Ask someone who holds such a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Error DynamicsAdmin user caller: You cannot approve mailboxes: none of your roles grants "Approve Email Addresses for Users or Queues" (prvApproveRejectEmailAddress). Ask an administrator who can, or to give you the roles.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn approval_switched_off_turns_unapproved_mailboxes_into_information() {
    let mut s = snap(unapproved());
    let mut org = s.org.clone().unwrap();
    org.require_approval_users = false;
    org.require_approval_queues = false;
    s.org = Some(org);
    check(
        STEP,
        s,
        expect![[r#"
            pass: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Info DynamicsAdmin org: "Process emails only for approved users" is off, so user mailboxes work without approval. Microsoft recommends keeping approval on.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#remove-the-requirement-to-approve-mailboxes
            - Info DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); approval is not required, so their email is still processed.
              remedy: approve-mailboxes [u2 u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Info DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake.
              remedy: approve-mailboxes [u4]
            - Info DynamicsAdmin org: "Process emails only for approved queues" is off, so queue mailboxes work without approval. Microsoft recommends keeping approval on.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#remove-the-requirement-to-approve-mailboxes
            - Info DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); approval is not required, so their email is still processed.
              remedy: approve-mailboxes [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Info ExchangeAdmin user caller: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

#[test]
fn unreadable_roles_say_approval_will_be_confirmed_on_first_try() {
    let mut s = snap(unapproved());
    s.roles = None;
    let errors =
        [CollectError { part: Part::Roles, error: Error::Http { status: 403, dataverse: None, body: String::new() } }];
    check_with(
        STEP,
        s,
        &errors,
        EvaluateOptions::at(NOW),
        expect![[r#"
            fail: 2 of 6 active mailboxes approved
            counts: 2 of 6 mailboxes approved; 1 of 4 user mailboxes approved; 1 of 2 queue mailboxes approved
            - Error DynamicsAdmin mailboxes [u2 u3]: 2 user mailboxes are not approved (1 pending, 1 never approved); their email is not processed until they are approved.
              remedy: approve-mailboxes [u2 u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin mailboxes [u4]: 1 user mailbox was rejected. Someone rejected it on purpose; approve only if that was a mistake.
              remedy: approve-mailboxes [u4]
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved.
              remedy: approve-mailboxes [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
            - Warning DynamicsAdmin user caller: Your roles could not be read (Dataverse answered HTTP 403); whether you can approve will be confirmed on the first approval.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        "#]],
    );
}

/// Issue 11: "approved by Microsoft 365 admin" (`isemailaddressapprovedbyo365admin`) is shown beside
/// the approval, and an approved mailbox without it is information, never a failure of the step.
#[test]
fn the_microsoft_365_admin_approval_flag_is_shown_and_never_fails_the_step() {
    let mut set = user("u1");
    set.approved_by_o365_admin = Some(true);
    let mut unset = user("u2");
    unset.approved_by_o365_admin = Some(false);
    let mut s = snap(vec![set, unset]);
    s.roles = Some(vec![super::support::sysadmin(), super::support::role("Delegated Mailbox Approver", None, None)]);
    check(
        STEP,
        s,
        expect![[r#"
        pass: 2 of 2 active mailboxes approved
        counts: 2 of 2 mailboxes approved; 1 of 2 approved mailboxes also marked "approved by Microsoft 365 admin"; 2 of 2 user mailboxes approved; 0 of 0 queue mailboxes approved
        - Info ExchangeAdmin mailboxes [u2]: 1 mailbox is approved in Dynamics 365 but not marked "approved by Microsoft 365 admin" (isemailaddressapprovedbyo365admin). This alone does not stop it while its tests pass; if Test & Enable fails with an alert asking for an approval by a Microsoft 365 administrator, a Global or Exchange administrator (with System Administrator) must approve the address.
          doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#email-address-requires-approval-by-microsoft-365-administrator
        - Info DynamicsAdmin user caller: You can approve mailboxes: you hold System Administrator and Delegated Mailbox Approver.
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
    "#]],
    );
}
