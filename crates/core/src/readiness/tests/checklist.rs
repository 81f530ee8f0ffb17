//! The checklist view model.

use super::support::{snap, user};
use crate::model::{ApprovalState, RecordState};
use crate::readiness::{EvaluateOptions, checklist, evaluate_with};
use expect_test::{Expect, expect};

fn check(s: crate::collect::Snapshot, expect: Expect) {
    let list = checklist(&evaluate_with(&s, &[], &EvaluateOptions::at(super::support::NOW)));
    let mut out = format!("{} of {} done\n", list.done, list.rows.len());
    for r in &list.rows {
        let remedies: Vec<&str> = r.remedies.iter().map(|x| x.key).collect();
        out.push_str(&format!(
            "{} {} errors={} warnings={} remedies={remedies:?} blocked_by={:?}\n",
            r.key,
            r.state.key(),
            r.errors,
            r.warnings,
            r.blocked_by.iter().map(|s| s.key()).collect::<Vec<_>>()
        ));
    }
    expect.assert_eq(&out);
}

#[test]
fn a_healthy_org_is_all_done() {
    check(
        snap(vec![user("u1")]),
        expect![[r#"
            7 of 7 done
            exchange-online-profile done errors=0 warnings=0 remedies=[] blocked_by=[]
            org-email-defaults done errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-configuration done errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-approval done errors=0 warnings=0 remedies=[] blocked_by=[]
            test-and-enable done errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-alerts done errors=0 warnings=0 remedies=[] blocked_by=[]
            keep-synchronising done errors=0 warnings=0 remedies=[] blocked_by=[]
        "#]],
    );
}

#[test]
fn an_inactive_profile_blocks_the_steps_that_depend_on_it() {
    let mut s = snap(vec![user("u1")]);
    s.profiles = Some(vec![super::exo(RecordState::Inactive)]);
    let mut m = user("u2");
    m.approval = ApprovalState::Pending;
    s.mailboxes = Some(vec![user("u1"), m]);
    check(
        s,
        expect![[r#"
            2 of 7 done
            exchange-online-profile action-needed errors=1 warnings=0 remedies=["activate-profile"] blocked_by=[]
            org-email-defaults blocked errors=1 warnings=0 remedies=[] blocked_by=["exchange-online-profile"]
            mailbox-configuration blocked errors=1 warnings=0 remedies=[] blocked_by=["exchange-online-profile", "org-email-defaults"]
            mailbox-approval action-needed errors=1 warnings=1 remedies=["approve-mailboxes"] blocked_by=[]
            test-and-enable done errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-alerts done errors=0 warnings=0 remedies=[] blocked_by=[]
            keep-synchronising action-needed errors=0 warnings=1 remedies=[] blocked_by=[]
        "#]],
    );
}

#[test]
fn missing_data_is_unable_to_check_not_done() {
    let mut s = snap(vec![]);
    s.mailboxes = None;
    s.alerts = None;
    check(
        s,
        expect![[r#"
            2 of 7 done
            exchange-online-profile done errors=0 warnings=0 remedies=[] blocked_by=[]
            org-email-defaults done errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-configuration unable-to-check errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-approval unable-to-check errors=0 warnings=0 remedies=[] blocked_by=[]
            test-and-enable unable-to-check errors=0 warnings=0 remedies=[] blocked_by=[]
            mailbox-alerts unable-to-check errors=0 warnings=0 remedies=[] blocked_by=[]
            keep-synchronising unable-to-check errors=0 warnings=0 remedies=[] blocked_by=[]
        "#]],
    );
}
