use super::*;
use crate::bulk::plan::tests::{mailbox, snapshot};
use crate::bulk::{Action, MailboxFilter, Plan, RunConfig, Selection, plan};
use crate::bulk::{Entity, Field, ItemState};
use crate::model::{ApprovalState, MailboxKind};
use expect_test::expect;
use serde_json::Value;

#[test]
fn every_cell_is_quoted_and_cells_that_look_like_formulas_are_defused() {
    let cells: Vec<String> = [
        "=HYPERLINK(\"x\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "\tx",
        "a,b",
        "say \"hi\"",
        "line\nbreak",
        "plain",
        "a;=b,-c\n@d",
    ]
    .iter()
    .map(|c| csv_cell(c))
    .collect();
    expect![[r#"
        [
            "\"'=HYPERLINK(\"\"x\"\")\"",
            "\"'+1\"",
            "\"'-2\"",
            "\"'@SUM(A1)\"",
            "\"'\tx\"",
            "\"a,b\"",
            "\"say \"\"hi\"\"\"",
            "\"line\nbreak\"",
            "\"plain\"",
            "\"a;'=b,'-c\n'@d\"",
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
        "action","table","record_id","name","column","before","after","read_back","before_label","after_label","state","applied","status","code","message"
        "approve","mailboxes","b0000000-0000-4000-8000-000000000001","'=cmd|' /C calc'!A0","emailrouteraccessapproval","2","1","1","Pending Approval","Approved","succeeded","true","","",""
        "approve","mailboxes","b0000000-0000-4000-8000-000000000002","Mailbox 2","emailrouteraccessapproval","3","1","3","Rejected","Approved","failed","true","","","the service accepted the change but read back emailrouteraccessapproval = Rejected, expected Approved"
    "#]]
    .assert_eq(&evidence.to_csv().replace("\r\n", "\n"));
}

/// The JSON export, checked against its text (not against serde's own rendering of the same value).
#[test]
fn evidence_json_names_every_field_with_its_before_after_and_read_back() {
    expect![[r#"
        {
          "action": "approve",
          "rows": [
            {
              "entity": "mailbox",
              "id": "b0000000-0000-4000-8000-000000000001",
              "name": "=cmd|' /C calc'!A0",
              "kind": "User",
              "field": "approval",
              "before": 2,
              "after": 1,
              "observed": 1,
              "state": "succeeded",
              "applied": true,
              "status": null,
              "code": null,
              "message": null
            },
            {
              "entity": "mailbox",
              "id": "b0000000-0000-4000-8000-000000000002",
              "name": "Mailbox 2",
              "kind": "Queue",
              "field": "approval",
              "before": 3,
              "after": 1,
              "observed": 3,
              "state": "failed",
              "applied": true,
              "status": null,
              "code": null,
              "message": "the service accepted the change but read back emailrouteraccessapproval = Rejected, expected Approved"
            }
          ]
        }"#]].assert_eq(&evidence_of_two_approvals().to_json());
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

fn row(id: &str, field: Field, before: Value, after: Value, state: ItemState, applied: bool) -> EvidenceRow {
    EvidenceRow {
        entity: Entity::Mailbox,
        id: id.into(),
        name: id.into(),
        kind: Some(MailboxKind::User),
        field,
        before,
        after,
        observed: None,
        state,
        applied,
        status: None,
        code: None,
        message: None,
    }
}

/// Issue 11 item 5: a profile that was empty before is cleared again (the navigation property set to
/// null, never `@odata.bind: null`), every other field of the record is restored in the same PATCH, and
/// records whose write may have applied (unknown, sent) are restored too; only records known not to
/// have applied are left alone.
#[test]
fn undo_restores_every_changed_field_including_empty_lookups() {
    let exo = Value::String("a0000000-0000-4000-8000-00000000e001".into());
    let mut rows = Vec::new();
    for (id, state, applied) in [
        ("m1", ItemState::Testing, true),
        ("m2", ItemState::Unknown, false),
        ("m3", ItemState::Failed, false),
        ("m4", ItemState::Failed, true),
    ] {
        rows.push(row(id, Field::Profile, Value::Null, exo.clone(), state, applied));
        rows.push(row(id, Field::IncomingMethod, Value::from(1), Value::from(2), state, applied));
        rows.push(row(id, Field::TestScheduled, Value::Bool(false), Value::Bool(true), state, applied));
    }
    let undo = Plan::undo(&Evidence { action: "apply-default-settings".into(), org: None, rows });
    let bodies: Vec<String> =
        undo.items.iter().map(|i| format!("{} {}", i.request().path, i.request().body.unwrap_or_default())).collect();
    expect![[r#"
        [
            "mailboxes(m1) {\"emailserverprofile\":null,\"incomingemaildeliverymethod\":1}",
            "mailboxes(m2) {\"emailserverprofile\":null,\"incomingemaildeliverymethod\":1}",
            "mailboxes(m4) {\"emailserverprofile\":null,\"incomingemaildeliverymethod\":1}",
        ]
    "#]]
    .assert_debug_eq(&bodies);
    assert!(undo.skipped.is_empty(), "nothing is left for the admin to clear by hand: {:?}", undo.skipped);
    assert_eq!(undo.warnings, [crate::bulk::Note::UndoTest]);
    assert_eq!(undo.warnings[0].to_string(), "Test & Enable cannot be undone; its results stay.");
    // The read-back of each undo item compares every field of the record's "before" state.
    for item in &undo.items {
        let fields: Vec<Field> = item.changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, [Field::Profile, Field::IncomingMethod]);
        assert!(item.changes[0].after.is_null());
    }
}

/// Splits one CSV line the way a spreadsheet does with `separator` as its list separator: a field that
/// starts with `"` runs to the closing quote (`""` is a quote), anything after it up to the next
/// separator is kept; other fields run to the next separator.
fn spreadsheet_cells(line: &str, separator: char) -> Vec<String> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut cell = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match (c, chars.peek()) {
                    ('"', Some('"')) => {
                        chars.next();
                        cell.push('"');
                    }
                    ('"', _) => break,
                    (c, _) => cell.push(c),
                }
            }
        }
        for c in chars.by_ref() {
            if c == separator {
                break;
            }
            cell.push(c);
        }
        cells.push(cell);
        if chars.peek().is_none() {
            return cells;
        }
    }
}

#[test]
fn issue_12_no_cell_starts_a_formula_whether_the_spreadsheet_splits_at_commas_or_semicolons() {
    let mut first = mailbox(1, MailboxKind::User, ApprovalState::Pending);
    first.name = "Ann;=HYPERLINK(\"https://evil.example\",\"x\"),=1+1".into();
    let snap = snapshot(vec![first]);
    let p = plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    let csv = crate::bulk::Run::new(p, RunConfig::default()).evidence().to_csv();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2);
    // Comma-separated: one cell per column, the name whole.
    let cells = spreadsheet_cells(lines[1], ',');
    assert_eq!(cells.len(), 15, "{cells:?}");
    assert_eq!(cells[3], "Ann;'=HYPERLINK(\"https://evil.example\",\"x\"),'=1+1");
    // Semicolon-separated (quotes in mid-line taken literally, as a lenient reader does): whatever is
    // split off, no piece starts a formula.
    for separator in [',', ';'] {
        for line in &lines {
            for cell in spreadsheet_cells(line, separator) {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{separator:?}: {cell:?} in {line}");
            }
        }
    }
}
