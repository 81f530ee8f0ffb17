use super::*;
use crate::bulk::plan::tests::{mailbox, snapshot};
use crate::bulk::{Action, MailboxFilter, Plan, RunConfig, Selection, plan};
use crate::model::{ApprovalState, MailboxKind};
use expect_test::expect;

#[test]
fn cells_that_look_like_formulas_are_defused_and_quoted_per_rfc_4180() {
    let cells: Vec<String> =
        ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "a,b", "say \"hi\"", "line\nbreak", "plain"]
            .iter()
            .map(|c| csv_cell(c))
            .collect();
    expect![[r#"
        [
            "\"'=HYPERLINK(\"\"x\"\")\"",
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "'\tx",
            "\"a,b\"",
            "\"say \"\"hi\"\"\"",
            "\"line\nbreak\"",
            "plain",
        ]
    "#]]
    .assert_debug_eq(&cells);
}

fn evidence_of_two_approvals() -> Evidence {
    let mut first = mailbox(1, MailboxKind::User, ApprovalState::Pending);
    first.name = "=cmd|' /C calc'!A0".into();
    let snap = snapshot(vec![first, mailbox(2, MailboxKind::Queue, ApprovalState::Rejected)]);
    let p = plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    let mut run = crate::bulk::Run::new(p, RunConfig::default());
    let (id, _) = run.poll_request(crate::bulk::Millis(0)).unwrap();
    let ok = crate::http::Response { status: 204, headers: vec![], body: String::new() };
    let rows = serde_json::json!({"value": [
        {"mailboxid": "b0000000-0000-4000-8000-000000000001", "emailrouteraccessapproval": 1},
        {"mailboxid": "b0000000-0000-4000-8000-000000000002", "emailrouteraccessapproval": 3},
    ]});
    let read = crate::http::Response {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: rows.to_string(),
    };
    let part =
        |r: &crate::http::Response| vec![crate::odata::batch::PartResponse { content_id: None, response: r.clone() }];
    let answer = crate::odata::batch::encode_response(1, &[part(&ok), part(&ok), part(&read)]);
    run.handle_response(crate::bulk::Millis(10), id, Ok(answer));
    run.evidence()
}

#[test]
fn evidence_keeps_before_after_and_read_back_of_every_field() {
    let evidence = evidence_of_two_approvals();
    expect![[r#"
        action,table,record_id,name,column,before,after,read_back,before_label,after_label,state,applied,status,code,message
        approve,mailboxes,b0000000-0000-4000-8000-000000000001,'=cmd|' /C calc'!A0,emailrouteraccessapproval,2,1,1,Pending Approval,Approved,succeeded,true,,,
        approve,mailboxes,b0000000-0000-4000-8000-000000000002,Mailbox 2,emailrouteraccessapproval,3,1,3,Rejected,Approved,failed,true,,,"the service accepted the change but read back emailrouteraccessapproval = Rejected, expected Approved"
    "#]]
    .assert_eq(&evidence.to_csv().replace("\r\n", "\n"));
    let json: serde_json::Value = serde_json::from_str(&evidence.to_json()).unwrap();
    assert_eq!(json, serde_json::to_value(&evidence).unwrap());
}

#[test]
fn undo_restores_the_before_values_of_applied_changes() {
    let undo = Plan::undo(&evidence_of_two_approvals());
    let bodies: Vec<String> =
        undo.items.iter().map(|i| format!("{} {}", i.request().path, i.request().body.unwrap_or_default())).collect();
    expect![[r#"
        [
            "mailboxes(b0000000-0000-4000-8000-000000000001) {\"emailrouteraccessapproval\":2}",
            "mailboxes(b0000000-0000-4000-8000-000000000002) {\"emailrouteraccessapproval\":3}",
        ]
    "#]]
    .assert_debug_eq(&bodies);
    assert_eq!(undo.action, Action::Undo);
}
