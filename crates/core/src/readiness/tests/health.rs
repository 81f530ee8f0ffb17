//! The "Mailboxes keep synchronising" step (issue 17).

use super::support::{NOW, check, check_with, snap, user};
use crate::collect::{CollectError, Part};
use crate::error::Error;
use crate::health::ItemFailure;
use crate::model::Timestamp;
use crate::readiness::{EvaluateOptions, StepId};
use expect_test::expect;

const STEP: StepId = StepId::KeepSynchronising;

#[test]
fn every_state_is_counted_and_failing_and_disabled_mailboxes_get_test_and_enable() {
    let mut s = snap(vec![user("u1"), user("u2"), user("u3"), user("u4"), user("u5")]);
    let mon = s.monitoring.as_mut().unwrap();
    mon[1].last_success = Some(Timestamp(NOW.0 - 2 * 3600)); // delayed
    mon[2].postponed_until = Some(Timestamp(NOW.0 + 3600)); // backing off
    mon[3].error_count = Some(3); // failing
    mon[3].error_on = Some(Timestamp(NOW.0 - 60));
    s.mailboxes.as_mut().unwrap()[4].enabled_outgoing = false; // disabled since it passed
    s.item_failures = Some(vec![ItemFailure {
        owner: Some("owner-u1".into()),
        code: Some(0x8005_E272),
        error: "401".into(),
        occurred_on: Some(NOW),
        subject: None,
        object_type: None,
    }]);
    check(
        STEP,
        s,
        expect![[r#"
            fail: 1 of 5 mailboxes synchronizing normally.
            counts: 1 of 5 Synchronising normally; 1 of 5 Delayed; 1 of 5 Backing off; 1 of 5 Failing; 1 of 5 Disabled since it last passed; 1 Failed items
            - Error DynamicsAdmin mailboxes [u4]: 1 mailbox failed its last synchronization cycles. Fix the cause shown in the alerts, then re-test and enable it.
              remedy: test-and-enable [u4] this_org_only=false
            - Error DynamicsAdmin mailboxes [u5]: 1 mailbox synchronized before and is now disabled. Re-test and enable it.
              remedy: test-and-enable [u5] this_org_only=false
            - Warning DynamicsAdmin mailboxes [u2]: 1 mailbox had no successful synchronization for more than 1 hour.
            - Info DynamicsAdmin mailboxes [u3]: 1 mailbox is backing off: server-side synchronization postponed processing for more than 15 minutes.
            - Warning DynamicsAdmin org: 1 item failed to synchronize in the last days (1 distinct errors; most frequent: 401).
              doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/error-code-8005e272
        "#]],
    );
}

#[test]
fn the_admins_threshold_decides_what_is_delayed() {
    let mut s = snap(vec![user("u1")]);
    s.monitoring.as_mut().unwrap()[0].last_success = Some(Timestamp(NOW.0 - 2 * 3600));
    let options = EvaluateOptions { delayed_after_secs: 3 * 3600, ..EvaluateOptions::at(NOW) };
    check_with(
        STEP,
        s,
        &[],
        options,
        expect![[r#"
            pass: All 1 mailbox synchronizing normally.
            counts: 1 of 1 Synchronising normally; 0 of 1 Delayed; 0 of 1 Backing off; 0 of 1 Failing; 0 of 1 Disabled since it last passed; 0 Failed items
        "#]],
    );
}

#[test]
fn missing_inputs_are_unable_to_check_never_a_pass() {
    let mut s = snap(vec![user("u1")]);
    s.monitoring = None;
    let errors = [CollectError {
        part: Part::Mailboxes,
        error: Error::Http { status: 403, dataverse: None, body: String::new() },
    }];
    let report = crate::readiness::evaluate_with(&s, &errors, &EvaluateOptions::at(NOW));
    assert_eq!(report.step(STEP).unwrap().status.key(), "unknown");
    // Without the current time the delay cannot be measured.
    let report = crate::readiness::evaluate_with(&snap(vec![user("u1")]), &[], &EvaluateOptions::default());
    assert_eq!(report.step(STEP).unwrap().status.key(), "unknown");
    // Item failures unreadable and everything else fine: unknown, with the reason.
    let mut s = snap(vec![user("u1")]);
    s.item_failures = None;
    let report = crate::readiness::evaluate_with(&s, &[], &EvaluateOptions::at(NOW));
    assert_eq!(report.step(STEP).unwrap().status.key(), "unknown");
}
