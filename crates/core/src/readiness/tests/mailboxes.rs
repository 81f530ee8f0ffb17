//! The mailbox configuration step.

use super::support::{NOW, check, check_with, queue, snap, user};
use crate::collect::{CollectError, Part};
use crate::error::Error;
use crate::model::{ActDeliveryMethod, DeliveryMethod, MailboxKind, RecordState};
use crate::readiness::{EvaluateOptions, StepId};
use expect_test::expect;

const STEP: StepId = StepId::MailboxConfiguration;

#[test]
fn configured_users_and_queues_pass_and_queues_need_no_act() {
    check(
        STEP,
        snap(vec![user("u1"), queue("q1")]),
        expect![[r#"
        pass: 2 of 2 active mailboxes use Exchange Online with server-side synchronization
        counts: 2 of 2 mailboxes on Exchange Online with server-side sync; 1 of 1 user mailboxes configured; 1 of 1 queue mailboxes configured; 0 forward mailboxes (not counted); 0 inactive mailboxes (not counted)
    "#]],
    );
}

#[test]
fn mailboxes_without_profile_on_another_profile_or_off_sss_are_listed_by_kind_with_apply_defaults() {
    let mut no_profile = user("u2");
    no_profile.profile = None;
    let mut pop = queue("q2");
    pop.profile = Some("p-pop".into());
    let mut outlook = user("u3");
    outlook.incoming = Some(DeliveryMethod::Outlook);
    outlook.act = Some(ActDeliveryMethod::Outlook);
    let mut none = queue("q3");
    none.outgoing = Some(DeliveryMethod::None);
    check(
        STEP,
        snap(vec![user("u1"), no_profile, pop, outlook, none]),
        expect![[r#"
            fail: 1 of 5 active mailboxes use Exchange Online with server-side synchronization
            counts: 1 of 5 mailboxes on Exchange Online with server-side sync; 1 of 3 user mailboxes configured; 0 of 2 queue mailboxes configured; 0 forward mailboxes (not counted); 0 inactive mailboxes (not counted)
            - Error DynamicsAdmin mailboxes [u2]: 1 user mailbox has no email server profile, so its email is not synchronized. Apply the default email settings.
              remedy: apply-default-settings [u2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
            - Error DynamicsAdmin mailboxes [u3]: 1 user mailbox is not on server-side synchronization (incoming 1, outgoing 0, appointments, contacts and tasks 1). Apply the default email settings.
              remedy: apply-default-settings [u3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
            - Error DynamicsAdmin mailboxes [q2]: 1 queue mailbox uses another profile ("Legacy POP3") instead of Exchange Online. Apply the default email settings.
              remedy: apply-default-settings [q2]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
            - Error DynamicsAdmin mailboxes [q3]: 1 queue mailbox is not on server-side synchronization (incoming 0, outgoing 1). Apply the default email settings.
              remedy: apply-default-settings [q3]
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
        "#]],
    );
}

#[test]
fn forward_and_inactive_mailboxes_are_reported_apart_not_counted() {
    let mut fwd = user("f1");
    fwd.kind = MailboxKind::Forward;
    fwd.profile = None;
    let mut gone = user("u9");
    gone.state = RecordState::Inactive;
    gone.incoming = Some(DeliveryMethod::Outlook);
    check(
        STEP,
        snap(vec![user("u1"), fwd, gone]),
        expect![[r#"
        pass: 1 of 1 active mailboxes use Exchange Online with server-side synchronization
        counts: 1 of 1 mailboxes on Exchange Online with server-side sync; 1 of 1 user mailboxes configured; 0 of 0 queue mailboxes configured; 1 forward mailboxes (not counted); 1 inactive mailboxes (not counted)
        - Info DynamicsAdmin mailboxes [f1 u9]: 1 forward mailbox, 1 inactive mailbox are not counted in this checklist.
    "#]],
    );
}

#[test]
fn without_good_org_defaults_there_is_no_apply_defaults_remedy() {
    let mut s = snap(vec![]);
    let mut m = user("u1");
    m.profile = None;
    s.mailboxes = Some(vec![m]);
    let mut org = s.org.clone().unwrap();
    org.default_profile = Some("p-pop".into());
    s.org = Some(org);
    check(
        STEP,
        s,
        expect![[r#"
            fail: 0 of 1 active mailboxes use Exchange Online with server-side synchronization
            counts: 0 of 1 mailboxes on Exchange Online with server-side sync; 0 of 1 user mailboxes configured; 0 of 0 queue mailboxes configured; 0 forward mailboxes (not counted); 0 inactive mailboxes (not counted)
            - Error DynamicsAdmin mailboxes [u1]: 1 user mailbox has no email server profile, so its email is not synchronized. Fix the org's default email settings first, then apply them to these mailboxes.
              doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
        "#]],
    );
}

#[test]
fn unreadable_mailboxes_give_unable_to_check() {
    let mut s = snap(vec![]);
    s.mailboxes = None;
    let errors = [CollectError {
        part: Part::Mailboxes,
        error: Error::Decode { path: "mailboxes: value[3]".into(), reason: "EOF".into(), body_excerpt: String::new() },
    }];
    check_with(
        STEP,
        s,
        &errors,
        EvaluateOptions::at(NOW),
        expect![[r#"
        unknown: Unable to check: unexpected response at `mailboxes: value[3]`: EOF
    "#]],
    );
}
