//! The Test & Enable step.

use super::support::{NOW, alert, check, check_with, queue, snap, user};
use crate::model::{AlertLevel, AlertSet, DeliveryMethod, TestStatus, Timestamp};
use crate::readiness::{EvaluateOptions, StepId};
use expect_test::expect;

const STEP: StepId = StepId::TestAndEnable;

#[test]
fn tested_mailboxes_pass_and_mailboxes_off_sss_are_not_counted() {
    let mut off = user("u9");
    off.incoming = Some(DeliveryMethod::Outlook);
    off.outgoing = Some(DeliveryMethod::Outlook);
    off.act = Some(crate::model::ActDeliveryMethod::Outlook);
    check(
        STEP,
        snap(vec![user("u1"), queue("q1"), off]),
        expect![[r#"
            pass: 2 of 2 mailboxes on server-side synchronization tested and enabled
            counts: 2 of 2 mailboxes tested and enabled; 0 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 0 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 0 mailboxes being tested; 0 mailboxes stuck in Test & Enable
        "#]],
    );
}

#[test]
fn failures_are_reported_per_direction_with_how_many_were_disabled() {
    let mut incoming = user("u2");
    incoming.incoming_status = Some(TestStatus::Failure);
    incoming.enabled_incoming = false;
    let mut both = queue("q2");
    both.incoming_status = Some(TestStatus::Failure);
    both.outgoing_status = Some(TestStatus::Failure);
    let mut act = user("u3");
    act.act_status = Some(TestStatus::Failure);
    check(
        STEP,
        snap(vec![user("u1"), incoming, both, act]),
        expect![[r#"
            fail: 1 of 4 mailboxes on server-side synchronization tested and enabled
            counts: 1 of 4 mailboxes tested and enabled; 3 mailboxes failed a test; 2 failed incoming email; 1 failed outgoing email; 1 failed appointments, contacts and tasks; 1 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 0 mailboxes being tested; 0 mailboxes stuck in Test & Enable
            - Error DynamicsAdmin mailboxes [u2 q2 u3]: 3 mailboxes failed Test & Enable (incoming email 2, outgoing email 1, appointments, contacts and tasks 1; 1 of them now disabled). Fix the cause shown in the alerts, then test and enable again. If a mailbox also syncs with another Dynamics 365 org, test it with "this org only".
              remedy: test-and-enable [u2 q2 u3] this_org_only=false
        "#]],
    );
}

#[test]
fn act_failing_because_another_org_syncs_gets_the_this_org_only_remedy() {
    let mut other = user("u2");
    other.act_status = Some(TestStatus::Failure);
    let mut plain = user("u3");
    plain.act_status = Some(TestStatus::Failure);
    let mut s = snap(vec![other, plain]);
    s.alerts = Some(AlertSet {
        alerts: vec![alert(
            "u2",
            AlertLevel::Error,
            "Appointments, contacts, and tasks can't be synchronized because the email address of the mailbox Name u2 is configured with another organization.",
            None,
        )],
        failing_mailboxes: 2,
        mailboxes_read: 2,
    });
    check(
        STEP,
        s,
        expect![[r#"
            fail: 0 of 2 mailboxes on server-side synchronization tested and enabled
            counts: 0 of 2 mailboxes tested and enabled; 2 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 2 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 0 mailboxes being tested; 0 mailboxes stuck in Test & Enable
            - Error DynamicsAdmin mailboxes [u3]: 1 mailbox failed Test & Enable (appointments, contacts and tasks 1). Fix the cause shown in the alerts, then test and enable again. If a mailbox also syncs with another Dynamics 365 org, test it with "this org only".
              remedy: test-and-enable [u3] this_org_only=false
            - Error DynamicsAdmin mailboxes [u2]: 1 mailbox cannot synchronize appointments, contacts and tasks because another Dynamics 365 org synchronizes it. Test and enable with "Sync items with Exchange from this org only" if this org should own it; set the method to None in the other org.
              remedy: test-and-enable [u2] this_org_only=true
              doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#appointments-contacts-and-tasks-cant-be-synchronized
        "#]],
    );
}

#[test]
fn never_tested_and_disabled_mailboxes_need_test_and_enable() {
    let mut never = user("u2");
    never.incoming_status = Some(TestStatus::NotRun);
    never.outgoing_status = Some(TestStatus::NotRun);
    never.act_status = None;
    never.test_completed_on = None;
    let mut disabled = queue("q2");
    disabled.enabled_outgoing = false;
    check(
        STEP,
        snap(vec![never, disabled]),
        expect![[r#"
            warn: 0 of 2 mailboxes on server-side synchronization tested and enabled
            counts: 0 of 2 mailboxes tested and enabled; 0 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 0 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 1 mailboxes disabled with no failed test on record; 1 mailboxes never tested; 0 mailboxes being tested; 0 mailboxes stuck in Test & Enable
            - Warning DynamicsAdmin mailboxes [q2]: 1 mailbox is disabled for email processing with no failed test on record (disabled after earlier errors). Test and enable to re-enable it.
              remedy: test-and-enable [q2] this_org_only=false
            - Warning DynamicsAdmin mailboxes [u2]: 1 mailbox has never been tested, so email is not processed for it.
              remedy: test-and-enable [u2] this_org_only=false
        "#]],
    );
}

#[test]
fn a_test_due_longer_than_the_threshold_is_stuck_and_a_recent_one_is_running() {
    let mut stuck = user("u2");
    stuck.test_scheduled = true;
    stuck.postpone_test_until = Some(Timestamp(NOW.0 - 2 * 3600));
    let mut running = user("u3");
    running.test_scheduled = true;
    running.postpone_test_until = Some(Timestamp(NOW.0 - 60));
    let mut unknown_due = user("u4");
    unknown_due.test_scheduled = true;
    check(
        STEP,
        snap(vec![stuck.clone(), running.clone(), unknown_due.clone()]),
        expect![[r#"
            warn: 0 of 3 mailboxes on server-side synchronization tested and enabled
            counts: 0 of 3 mailboxes tested and enabled; 0 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 0 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 2 mailboxes being tested; 1 mailboxes stuck in Test & Enable
            - Warning DynamicsAdmin mailboxes [u2]: 1 mailbox has waited more than 30 minutes for Test & Enable to finish. Background processing may be off (administration mode), or the test keeps retrying; check the alerts, then schedule the test again. SyncReady has no change to make here (Name u2: Test & Enable is already scheduled); the cause lies elsewhere; follow the fix above.
            - Warning DynamicsAdmin mailboxes [u3 u4]: 2 mailboxes are waiting for Test & Enable to finish; check again in a few minutes.
        "#]],
    );
    // A larger threshold makes the same mailbox merely running.
    let relaxed = EvaluateOptions { now: Some(NOW), stuck_after_secs: 3 * 3600, ..EvaluateOptions::default() };
    check_with(
        STEP,
        snap(vec![stuck.clone()]),
        &[],
        relaxed,
        expect![[r#"
            warn: 0 of 1 mailboxes on server-side synchronization tested and enabled
            counts: 0 of 1 mailboxes tested and enabled; 0 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 0 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 1 mailboxes being tested; 0 mailboxes stuck in Test & Enable
            - Warning DynamicsAdmin mailboxes [u2]: 1 mailbox is waiting for Test & Enable to finish; check again in a few minutes.
        "#]],
    );
    // Without the time, nothing is called stuck.
    check_with(
        STEP,
        snap(vec![stuck]),
        &[],
        EvaluateOptions::default(),
        expect![[r#"
            warn: 0 of 1 mailboxes on server-side synchronization tested and enabled
            counts: 0 of 1 mailboxes tested and enabled; 0 mailboxes failed a test; 0 failed incoming email; 0 failed outgoing email; 0 failed appointments, contacts and tasks; 0 of the failed mailboxes now disabled; 0 mailboxes disabled with no failed test on record; 0 mailboxes never tested; 1 mailboxes being tested; 0 mailboxes stuck in Test & Enable
            - Warning DynamicsAdmin mailboxes [u2]: 1 mailbox is waiting for Test & Enable to finish (stuck tests cannot be told apart without the current time); check again in a few minutes.
        "#]],
    );
}
