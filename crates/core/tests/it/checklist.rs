//! Collection → evaluation → checklist, per scenario of the fake org, the expected checklist written out.

use crate::support::{FakeOrg, block_on, fixture, json};
use expect_test::{Expect, expect};
use syncready_core::collect::snapshot;
use syncready_core::model::Timestamp;
use syncready_core::readiness::{EvaluateOptions, checklist, evaluate_with};

/// 2026-11-26T12:00:00Z.
const NOW: Timestamp = Timestamp(1_795_694_400);

/// Renders each checklist row with its summary, counts, remedies and finding messages.
fn check(org: FakeOrg, expect: Expect) {
    let (snap, errors) = block_on(snapshot(&org));
    let report = evaluate_with(&snap, &errors, &EvaluateOptions::at(NOW));
    let list = checklist(&report);
    let mut out = format!("{} of {} done\n", list.done, list.rows.len());
    for (row, step) in list.rows.iter().zip(&report.steps) {
        out.push_str(&format!("[{}] {}: {}\n", row.state.key(), row.key, row.summary));
        for f in &step.findings {
            let remedy = f.remedy.as_ref().map_or(String::new(), |r| format!(" => {}", r.key()));
            out.push_str(&format!("  {:?}/{:?}: {}{remedy}\n", f.severity, f.actor, f.message));
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn the_contoso_fixture_org_gives_a_checklist_with_actions_in_every_step_that_needs_one() {
    check(
        FakeOrg::contoso(),
        expect![[r#"
            0 of 7 done
            [action-needed] exchange-online-profile: "Microsoft Exchange Online" is active but not the default ("Legacy POP3" is)
              Info/DynamicsAdmin: 2 email server profiles: "Microsoft Exchange Online", "Legacy POP3" (default).
              Warning/DynamicsAdmin: New mailboxes get the org's default profile, currently "Legacy POP3". Make "Microsoft Exchange Online" the default. => set-default-profile
            [action-needed] org-email-defaults: 3 of 5 org email settings are right
              Error/DynamicsAdmin: The default server profile is "Legacy POP3", not the active Exchange Online profile. Make "Microsoft Exchange Online" the default. => set-default-profile
              Error/DynamicsAdmin: New mailboxes are not set up for server-side synchronization (appointments, contacts and tasks: Dynamics 365 for Outlook). Set the defaults to Server-Side Synchronization. => set-org-defaults
            [blocked] mailbox-configuration: 2 of 3 active mailboxes use Exchange Online with server-side synchronization
              Error/DynamicsAdmin: 1 queue mailbox has no email server profile, so its email is not synchronized. Fix the org's default email settings first, then apply them to these mailboxes.
              Error/DynamicsAdmin: 1 queue mailbox is not on server-side synchronization (incoming 1, outgoing 1). Fix the org's default email settings first, then apply them to these mailboxes.
              Info/DynamicsAdmin: 1 forward mailbox, 1 inactive mailbox are not counted in this checklist.
            [action-needed] mailbox-approval: 1 of 3 active mailboxes approved
              Error/DynamicsAdmin: 1 user mailbox is not approved (1 pending); its email is not processed until it is approved. => approve-mailboxes
              Error/DynamicsAdmin: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved. => approve-mailboxes
              Warning/ExchangeAdmin: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
            [blocked] test-and-enable: 1 of 2 mailboxes on server-side synchronization tested and enabled
              Error/DynamicsAdmin: 1 mailbox failed Test & Enable (incoming email 1, outgoing email 1; 1 of them now disabled). Fix the cause shown in the alerts, then test and enable again. => test-and-enable
            [action-needed] mailbox-alerts: 2 alerts on 1 mailbox: 2 causes known, 0 unrecognised
              Error/DynamicsAdmin: 1 mailbox: the email address is not approved, so the mailbox was disabled. Fix: approve the email address, then test and enable. => approve-mailboxes
              Error/ExchangeAdmin: 1 mailbox: Exchange answered 401 Unauthorized (8005E272) to the email server profile's sign-in. Fix: an Exchange or Microsoft 365 administrator checks that the mailbox's user is licensed for Exchange Online, enabled, and not blocked by an application access policy, and that the profile's tenant is the mailbox's tenant; then test and enable. Applying default settings only helps a mailbox that is not on the Exchange Online profile. => apply-default-settings
            [action-needed] keep-synchronising: 0 of 1 mailbox synchronizing normally.
              Warning/DynamicsAdmin: 1 mailbox had no successful synchronization for more than 1 hour.
              Warning/DynamicsAdmin: 1 item failed to synchronize in the last days (1 distinct errors; most frequent: Exchange returned 401 Unauthorized (8005E272).).
        "#]],
    );
}

#[test]
fn contoso_with_the_exchange_online_default_and_sss_act_only_leaves_the_mailbox_work() {
    let org_json = fixture("organizations.json")
        .replace("3a1d2c4b-0000-4000-8000-00000000e002", "3a1d2c4b-0000-4000-8000-00000000e001")
        .replace("<ACTDeliveryMethod>0</ACTDeliveryMethod>", "<ACTDeliveryMethod>1</ACTDeliveryMethod>");
    check(
        FakeOrg::contoso().route("organizations?", json(200, org_json)),
        expect![[r#"
            2 of 7 done
            [done] exchange-online-profile: "Microsoft Exchange Online" is active and the default profile
              Info/DynamicsAdmin: 2 email server profiles: "Microsoft Exchange Online" (default), "Legacy POP3".
            [done] org-email-defaults: Email is processed with server-side synchronization; new mailboxes get the Exchange Online profile
            [action-needed] mailbox-configuration: 2 of 3 active mailboxes use Exchange Online with server-side synchronization
              Error/DynamicsAdmin: 1 queue mailbox has no email server profile, so its email is not synchronized. Apply the default email settings. => apply-default-settings
              Error/DynamicsAdmin: 1 queue mailbox is not on server-side synchronization (incoming 1, outgoing 1). Apply the default email settings. => apply-default-settings
              Info/DynamicsAdmin: 1 forward mailbox, 1 inactive mailbox are not counted in this checklist.
            [action-needed] mailbox-approval: 1 of 3 active mailboxes approved
              Error/DynamicsAdmin: 1 user mailbox is not approved (1 pending); its email is not processed until it is approved. => approve-mailboxes
              Error/DynamicsAdmin: 1 queue mailbox is not approved (1 never approved); its email is not processed until it is approved. => approve-mailboxes
              Warning/ExchangeAdmin: You are System Administrator, but approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated Mailbox Approver role in this environment. Tenant roles cannot be seen from Dynamics 365, so this will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to give you the Delegated Mailbox Approver role.
            [blocked] test-and-enable: 1 of 2 mailboxes on server-side synchronization tested and enabled
              Error/DynamicsAdmin: 1 mailbox failed Test & Enable (incoming email 1, outgoing email 1; 1 of them now disabled). Fix the cause shown in the alerts, then test and enable again. => test-and-enable
            [action-needed] mailbox-alerts: 2 alerts on 1 mailbox: 2 causes known, 0 unrecognised
              Error/DynamicsAdmin: 1 mailbox: the email address is not approved, so the mailbox was disabled. Fix: approve the email address, then test and enable. => approve-mailboxes
              Error/ExchangeAdmin: 1 mailbox: Exchange answered 401 Unauthorized (8005E272) to the email server profile's sign-in. Fix: an Exchange or Microsoft 365 administrator checks that the mailbox's user is licensed for Exchange Online, enabled, and not blocked by an application access policy, and that the profile's tenant is the mailbox's tenant; then test and enable. Applying default settings only helps a mailbox that is not on the Exchange Online profile.
            [action-needed] keep-synchronising: 0 of 1 mailbox synchronizing normally.
              Warning/DynamicsAdmin: 1 mailbox had no successful synchronization for more than 1 hour.
              Warning/DynamicsAdmin: 1 item failed to synchronize in the last days (1 distinct errors; most frequent: Exchange returned 401 Unauthorized (8005E272).).
        "#]],
    );
}

#[test]
fn a_403_on_mailboxes_makes_the_mailbox_steps_unable_to_check_but_keeps_the_org_steps() {
    let org = FakeOrg::contoso().route("mailboxes?", json(403, fixture("forbidden.json")));
    check(
        org,
        expect![[r#"
            0 of 7 done
            [action-needed] exchange-online-profile: "Microsoft Exchange Online" is active but not the default ("Legacy POP3" is)
              Info/DynamicsAdmin: 2 email server profiles: "Microsoft Exchange Online", "Legacy POP3" (default).
              Warning/DynamicsAdmin: New mailboxes get the org's default profile, currently "Legacy POP3". Make "Microsoft Exchange Online" the default. => set-default-profile
            [action-needed] org-email-defaults: 3 of 5 org email settings are right
              Error/DynamicsAdmin: The default server profile is "Legacy POP3", not the active Exchange Online profile. Make "Microsoft Exchange Online" the default. => set-default-profile
              Error/DynamicsAdmin: New mailboxes are not set up for server-side synchronization (appointments, contacts and tasks: Dynamics 365 for Outlook). Set the defaults to Server-Side Synchronization. => set-org-defaults
            [unable-to-check] mailbox-configuration: Unable to check: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
            [unable-to-check] mailbox-approval: Unable to check: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
            [unable-to-check] test-and-enable: Unable to check: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
            [unable-to-check] mailbox-alerts: Unable to check: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
            [unable-to-check] keep-synchronising: Unable to check: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
        "#]],
    );
}
