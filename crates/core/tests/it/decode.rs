//! Decoding fixtures in the real Web API shape, and responses that are not what Dataverse sends.

use crate::support::{fixture, json, with_type};
use expect_test::{Expect, expect};
use syncready_core::http::Response;
use syncready_core::model::{AlertLevel, Mailbox, MailboxKind};
use syncready_core::odata::decode_collection;
use syncready_core::wire;

/// Decodes a mailbox page and renders the rows and the next link, or the error.
fn check(response: Response, expect: Expect) {
    let out = match decode_collection::<wire::Mailbox>(&response, "mailboxes") {
        Ok(page) => {
            let mut out = String::new();
            for m in page.value.into_iter().map(Mailbox::from) {
                out.push_str(&format!("{} {:?} {:?}\n", m.name, m.kind, m.approval));
            }
            out.push_str(&format!("next: {}\n", page.next_link.is_some()));
            out
        }
        Err(e) => format!("error: {e}\n"),
    };
    expect.assert_eq(&out);
}

#[test]
fn a_page_with_annotations_and_a_next_link_decodes() {
    check(
        json(200, fixture("mailboxes-page1.json")),
        expect![[r#"
        Alex Wilber User Approved
        Megan Bowen User Pending
        Support Queue Empty
        next: true
    "#]],
    );
}

#[test]
fn the_last_page_has_no_next_link_and_a_forward_mailbox() {
    check(
        json(200, fixture("mailboxes-page2.json")),
        expect![[r#"
        Forward Mailbox Forward Approved
        Former Employee User Rejected
        next: false
    "#]],
    );
}

#[test]
fn an_html_sign_in_page_with_status_200_is_a_session_expiry() {
    check(
        with_type(200, "text/html", fixture("signin.html")),
        expect![[r#"
        error: the Dynamics 365 session has expired or is missing (HTTP 200)
    "#]],
    );
}

#[test]
fn truncated_json_names_the_request_and_the_position() {
    check(
        json(200, fixture("truncated.json")),
        expect![[r#"
        error: unexpected response at `mailboxes: value[0].mailboxid`: EOF while parsing a string at line 6 column 37
    "#]],
    );
}

#[test]
fn a_200_with_an_error_body_is_an_error_with_the_dataverse_code() {
    check(
        json(200, fixture("error-in-200.json")),
        expect![[r#"
        error: Dataverse answered HTTP 200 0x80040220: Principal user (Id=7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f, type=8, roleCount=1, privilegeCount=312, accessMode=0), is missing prvReadMailbox privilege (Id=1f1a8b4c-0000-4000-8000-000000000000) on OTC=9606 for entity 'mailbox'.
    "#]],
    );
}

#[test]
fn a_wrong_content_type_names_what_came_back() {
    check(
        with_type(200, "text/plain", "Service Unavailable"),
        expect![[r#"
        error: unexpected response at `mailboxes`: expected JSON from the Web API but got text/plain
    "#]],
    );
}

#[test]
fn a_wrong_option_value_type_names_the_json_path() {
    let body = r#"{"value":[{"mailboxid":"m1","emailrouteraccessapproval":1},{"mailboxid":"m2","emailrouteraccessapproval":"Approved"}]}"#;
    check(
        json(200, body),
        expect![[r#"
        error: unexpected response at `mailboxes: value[1].emailrouteraccessapproval`: expected an integer, got a string
    "#]],
    );
}

#[test]
fn alerts_decode_with_level_code_and_times() {
    let page = decode_collection::<wire::TraceLog>(&json(200, fixture("tracelogs.json")), "tracelogs").unwrap();
    let alerts: Vec<_> = page.value.into_iter().map(syncready_core::model::Alert::from).collect();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].level, AlertLevel::Error);
    assert_eq!(alerts[1].code, Some(6));
    assert!(alerts[1].created_on < alerts[1].modified_on);
    assert_eq!(alerts[0].regarding.as_deref(), Some("5b0e0000-0000-4000-8000-000000000002"));
}

#[test]
fn roles_and_team_roles_decode() {
    let roles = decode_collection::<wire::Role>(&json(200, fixture("roles.json")), "roles").unwrap();
    assert_eq!(roles.value.len(), 2);
    let teams = decode_collection::<wire::TeamWithRoles>(&json(200, fixture("teams.json")), "teams").unwrap();
    assert_eq!(teams.value[0].teamroles_association[0].name.as_deref(), Some("Delegated Mailbox Approver"));
    let forward = decode_collection::<wire::Mailbox>(&json(200, fixture("mailboxes-page2.json")), "m").unwrap();
    assert_eq!(Mailbox::from(forward.value[0].clone()).kind, MailboxKind::Forward);
}
